package org.iterpref.trainer.dpo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.Supplier;
import org.iterpref.trainer.model.DecoderModel;
import tools.jackson.databind.ObjectMapper;

/**
 * The starting model's sequence log-probs {@code {ref_c, ref_r}} of every pair, computed once
 * before the first step (no second model in memory during training) and kept in the job's work
 * directory, so a resumed job — whose policy is no longer the starting model — uses the same ones.
 *
 * @param training per encoded training pair, in {@link PreparedData#training()} order
 * @param validation per encoded validation pair
 */
record ReferenceLogProbs(double[][] training, double[][] validation) {

    static final String FILE = "reference_logps.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The stored table when it matches {@code data}, else computed with {@code startingModel} and stored. */
    static ReferenceLogProbs loadOrCompute(Path workDir, PreparedData data, Supplier<DecoderModel> startingModel,
                                           int microBatchSize, long padId) {
        Path file = workDir.resolve(FILE);
        if (Files.isRegularFile(file)) {
            ReferenceLogProbs stored = JSON.readValue(file.toFile(), ReferenceLogProbs.class);
            if (stored.training().length == data.training().size()
                    && stored.validation().length == data.validation().size()) {
                return stored;
            }
        }
        ReferenceLogProbs computed;
        DecoderModel model = startingModel.get();
        DpoStep step = new DpoStep(model, padId);
        computed = new ReferenceLogProbs(step.sequenceLogProbs(data.training(), microBatchSize),
                step.sequenceLogProbs(data.validation(), microBatchSize));
        try {
            Files.createDirectories(workDir);
            Path temp = Files.createTempFile(workDir, FILE, ".tmp");
            JSON.writeValue(temp.toFile(), computed);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store reference log-probs in " + workDir, e);
        }
        return computed;
    }

    /** The rows of {@code table} for the pairs at {@code positions}. */
    static double[][] rows(double[][] table, List<Integer> positions) {
        double[][] rows = new double[positions.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = table[positions.get(i)];
        }
        return rows;
    }
}

package org.iterpref.trainer.dpo;

import ai.djl.ndarray.NDArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.iterpref.trainer.checkpoint.DType;
import org.iterpref.trainer.checkpoint.SafetensorsFile;
import org.iterpref.trainer.checkpoint.SafetensorsWriter;
import org.iterpref.trainer.checkpoint.TorchDtype;
import org.iterpref.trainer.model.DecoderModel;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;

/**
 * A job's checkpoints: {@code workDir/checkpoints/step-N/}, each a Hugging Face model directory
 * (float32 {@code model.safetensors} — the master weights, so a resumed run continues bit for bit
 * — with the base model's config and tokenizer files) plus {@code optimizer.safetensors} (AdamW's
 * moments by parameter name) and {@code trainer_state.json} ({@link TrainerState}: step, schedule
 * position, data-order seed, log history). A checkpoint is staged in a hidden sibling and renamed
 * into place once complete, so {@code step-N} directories are always whole; a crash leaves at most
 * a staging directory, removed by the next save.
 */
final class TrainingCheckpoints {

    static final String OPTIMIZER_FILE = "optimizer.safetensors";
    static final String STATE_FILE = "trainer_state.json";
    private static final Pattern STEP_DIR = Pattern.compile("step-(\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper().rebuild()
            .enable(SerializationFeature.INDENT_OUTPUT).build();

    private TrainingCheckpoints() {
    }

    /** A complete checkpoint on disk. */
    record Saved(Path dir, TrainerState state) {
    }

    /** The checkpoints directory of a job. */
    static Path root(Path workDir) {
        return workDir.resolve("checkpoints");
    }

    /** The newest complete checkpoint of the job, if any. */
    static Optional<Saved> latest(Path workDir) {
        Path root = root(workDir);
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            Optional<Path> newest = dirs.filter(d -> STEP_DIR.matcher(d.getFileName().toString()).matches())
                    .filter(d -> Files.isRegularFile(d.resolve(STATE_FILE)))
                    .max(Comparator.comparingInt(TrainingCheckpoints::step));
            return newest.map(dir -> new Saved(dir, readState(dir)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + root, e);
        }
    }

    /** Writes the checkpoint of {@code state.globalStep()}; returns its directory. */
    static Path save(Path workDir, DecoderModel policy, Path baseModelDir, AdamW optimizer, TrainerState state) {
        Path root = root(workDir);
        Path target = root.resolve("step-" + state.globalStep());
        Path staging = root.resolve(".staging-step-" + state.globalStep());
        try {
            deleteTree(staging);
            if (Files.isDirectory(target)) {
                return target;
            }
            policy.save(baseModelDir, staging, TorchDtype.FLOAT32);
            SafetensorsWriter moments = new SafetensorsWriter().metadata("step", Long.toString(optimizer.steps()));
            for (Map.Entry<String, NDArray> entry : optimizer.moments().entrySet()) {
                NDArray moment = entry.getValue();
                moments.addFloats(entry.getKey(), DType.F32, moment.getShape().getShape(), moment::toFloatArray);
            }
            moments.write(staging.resolve(OPTIMIZER_FILE));
            Files.write(staging.resolve(STATE_FILE), JSON.writeValueAsBytes(state.toJson()));
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the checkpoint of step " + state.globalStep() + " in " + root, e);
        }
    }

    /** Puts the saved moments and step count back into {@code optimizer}. */
    static void restoreOptimizer(Saved saved, AdamW optimizer, Map<String, NDArray> parameters) {
        try (SafetensorsFile file = SafetensorsFile.open(saved.dir().resolve(OPTIMIZER_FILE))) {
            Map<String, float[]> moments = new LinkedHashMap<>();
            for (String name : file.names()) {
                moments.put(name, file.readFloat32(name));
            }
            optimizer.restore(saved.state().globalStep(), moments, parameters);
        }
    }

    /** Every complete checkpoint's directory, oldest first. */
    static List<Path> all(Path workDir) {
        Path root = root(workDir);
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> STEP_DIR.matcher(d.getFileName().toString()).matches())
                    .filter(d -> Files.isRegularFile(d.resolve(STATE_FILE)))
                    .sorted(Comparator.comparingInt(TrainingCheckpoints::step)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + root, e);
        }
    }

    private static TrainerState readState(Path dir) {
        Map<String, Object> json = JSON.readValue(dir.resolve(STATE_FILE).toFile(), new TypeReference<>() {
        });
        return TrainerState.fromJson(json);
    }

    private static int step(Path dir) {
        Matcher m = STEP_DIR.matcher(dir.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

package org.iterpref.trainer.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes a model in Hugging Face layout, loadable by {@code from_pretrained} and by
 * {@link Checkpoint}: {@code model.safetensors} with every parameter under its HF name (a tied
 * embedding once, as {@code model.embed_tokens.weight}, and no {@code lm_head.weight}), the source
 * model's {@code config.json} with {@code torch_dtype} set to the type written, and the source's
 * generation and tokenizer files.
 *
 * <p>The directory appears complete or not at all: everything is written into the sibling
 * {@code .<name>.partial}, checked by opening it as a {@link Checkpoint}, and renamed into place.
 * A failed write removes its partial directory; one left by a crash is removed by the next write
 * to the same target. One writer per target at a time.
 */
public final class HfCheckpointWriter {

    /** Files copied from the source directory when it has them (besides config.json, which is rewritten). */
    public static final List<String> COPIED_FILES = List.of("generation_config.json", "tokenizer.json",
            "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "vocab.json", "merges.txt",
            "tokenizer.model", "chat_template.jinja", "chat_template.json");

    private HfCheckpointWriter() {
    }

    /**
     * Writes {@code weights} as {@code dtype} with the config and tokenizer of {@code sourceDir} (the
     * model they were loaded from) into the new directory {@code targetDir}.
     *
     * @return {@code targetDir}
     * @throws IllegalArgumentException if the weights are not exactly the parameters the source
     *     config implies, or {@code targetDir} already exists
     * @throws CheckpointException      if the source cannot be read or the target cannot be written
     */
    public static Path write(NamedWeights weights, Path sourceDir, Path targetDir, TorchDtype dtype) {
        ModelConfig config = ModelConfig.read(sourceDir);
        checkParameters(weights, config, sourceDir);
        Path target = targetDir.toAbsolutePath().normalize();
        if (Files.exists(target)) {
            throw new IllegalArgumentException(target + " already exists; a checkpoint is written to a new directory");
        }
        Path partial = target.resolveSibling("." + target.getFileName() + ".partial");
        try {
            Files.createDirectories(target.getParent());
            deleteRecursively(partial);
            Files.createDirectory(partial);
            writeWeights(weights, partial.resolve(Checkpoint.SINGLE_FILE), dtype);
            writeConfig(sourceDir.resolve(ModelConfig.FILE_NAME), partial.resolve(ModelConfig.FILE_NAME), dtype);
            for (String name : COPIED_FILES) {
                Path source = sourceDir.resolve(name);
                if (Files.isRegularFile(source)) {
                    writeDurably(partial.resolve(name), Files.readAllBytes(source));
                }
            }
            try (Checkpoint written = Checkpoint.open(partial)) {
                written.verify(ModelConfig.read(partial));
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            return targetDir;
        } catch (IOException | UncheckedIOException e) {
            deleteQuietly(partial, e);
            throw new CheckpointException(target, null, "cannot write the checkpoint: " + e, e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(partial, e);
            throw e;
        }
    }

    /** The weights must be the config's parameters, no more and no fewer, with its shapes. */
    private static void checkParameters(NamedWeights weights, ModelConfig config, Path sourceDir) {
        Set<ParameterSpec> expected = new HashSet<>(config.expectedParameters());
        Set<ParameterSpec> actual = new HashSet<>(weights.parameters());
        if (expected.equals(actual)) {
            return;
        }
        Set<String> missing = new TreeSet<>();
        expected.stream().filter(spec -> !actual.contains(spec)).forEach(spec -> missing.add(spec.toString()));
        Set<String> unexpected = new TreeSet<>();
        actual.stream().filter(spec -> !expected.contains(spec)).forEach(spec -> unexpected.add(spec.toString()));
        throw new IllegalArgumentException("the weights do not match " + sourceDir.resolve(ModelConfig.FILE_NAME)
                + " (" + config.describe() + "): missing or reshaped " + missing + ", unexpected " + unexpected);
    }

    private static void writeWeights(NamedWeights weights, Path file, TorchDtype dtype) {
        SafetensorsWriter writer = new SafetensorsWriter();
        for (ParameterSpec spec : weights.parameters()) {
            writer.addFloats(spec.name(), dtype.dtype(), spec.shape(), () -> weights.readFloat32(spec.name()));
        }
        writer.write(file);
    }

    /** The source config with {@code torch_dtype} (and transformers 5's {@code dtype}, if present) set to {@code dtype}. */
    private static void writeConfig(Path source, Path target, TorchDtype dtype) throws IOException {
        ObjectNode config = (ObjectNode) Json.readObject(source);
        config.put("torch_dtype", dtype.configName());
        if (config.has("dtype")) {
            config.put("dtype", dtype.configName());
        }
        writeDurably(target, Json.indented(config));
    }

    /** Writes and forces {@code bytes} to disk, so the rename never publishes a file still in the page cache only. */
    private static void writeDurably(Path file, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static void deleteQuietly(Path dir, Throwable primary) {
        try {
            deleteRecursively(dir);
        } catch (IOException | UncheckedIOException e) {
            primary.addSuppressed(e);
        }
    }
}

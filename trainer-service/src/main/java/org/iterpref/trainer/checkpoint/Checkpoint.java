package org.iterpref.trainer.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The weights of a Hugging Face model directory: one {@code model.safetensors}, or the shards
 * that {@code model.safetensors.index.json} lists.
 *
 * <p>Opening reads only the headers; every shard is validated up front (it exists, parses, and
 * holds each tensor the index assigns to it). Reads map one tensor at a time from its shard and
 * convert it to float32, so loading a model shard by shard never holds the file in memory twice.
 * All failures are {@link CheckpointException}s naming the file and tensor.
 */
public final class Checkpoint implements AutoCloseable {

    /** The single-file layout. */
    public static final String SINGLE_FILE = "model.safetensors";
    /** The sharded layout's index, used when there is no {@value #SINGLE_FILE} (as in Hugging Face). */
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private static final Logger log = LoggerFactory.getLogger(Checkpoint.class);

    private final Path directory;
    /** The file that says where tensors are: the index, or the single safetensors file. */
    private final Path source;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> byName;

    private Checkpoint(Path directory, Path source, List<SafetensorsFile> files, Map<String, SafetensorsFile> byName) {
        this.directory = directory;
        this.source = source;
        this.files = List.copyOf(files);
        this.byName = Collections.unmodifiableMap(byName);
    }

    /**
     * Opens the weights in {@code directory}: {@value #SINGLE_FILE} when present, else the shards
     * of {@value #INDEX_FILE} — the order Hugging Face's {@code from_pretrained} checks them in.
     */
    public static Checkpoint open(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new CheckpointException(directory, null, "is not a directory");
        }
        Path single = directory.resolve(SINGLE_FILE);
        Path index = directory.resolve(INDEX_FILE);
        if (Files.exists(single)) {
            SafetensorsFile file = SafetensorsFile.open(single);
            Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
            file.names().forEach(name -> byName.put(name, file));
            return new Checkpoint(directory, single, List.of(file), byName);
        }
        if (Files.exists(index)) {
            return openSharded(directory, ShardIndex.read(index));
        }
        throw new CheckpointException(directory, null, "holds neither " + SINGLE_FILE + " nor " + INDEX_FILE);
    }

    private static Checkpoint openSharded(Path directory, ShardIndex index) {
        Map<Path, SafetensorsFile> shards = new LinkedHashMap<>();
        try {
            Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
            index.weightMap().forEach((name, shardPath) -> {
                SafetensorsFile shard = shards.computeIfAbsent(shardPath, p -> openShard(index, name, p));
                if (!shard.contains(name)) {
                    throw new CheckpointException(shardPath, name, "is listed in " + INDEX_FILE
                            + " for this shard but the shard does not hold it");
                }
                byName.put(name, shard);
            });
            warnAboutUnindexed(index, shards.values());
            return new Checkpoint(directory, index.file(), new ArrayList<>(shards.values()), byName);
        } catch (RuntimeException e) {
            shards.values().forEach(shard -> closeQuietly(shard, e));
            throw e;
        }
    }

    private static SafetensorsFile openShard(ShardIndex index, String firstTensor, Path shard) {
        if (!Files.isRegularFile(shard)) {
            throw new CheckpointException(index.file(), firstTensor, "is mapped to shard '"
                    + shard.getFileName() + "', which does not exist in " + shard.getParent());
        }
        return SafetensorsFile.open(shard);
    }

    private static void warnAboutUnindexed(ShardIndex index, Iterable<SafetensorsFile> shards) {
        for (SafetensorsFile shard : shards) {
            for (String name : shard.names()) {
                if (!shard.file().equals(index.weightMap().get(name))) {
                    log.warn("{}: tensor '{}' is not assigned to this shard by {}; ignored",
                            shard.file(), name, index.file());
                }
            }
        }
    }

    /** The model directory. */
    public Path directory() {
        return directory;
    }

    /** The safetensors files opened (one, or each shard). */
    public List<Path> files() {
        return files.stream().map(SafetensorsFile::file).toList();
    }

    /** Every tensor name, in index (or header) order. */
    public Set<String> names() {
        return byName.keySet();
    }

    /** Whether the checkpoint has a tensor called {@code name}. */
    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** Where and how tensor {@code name} is stored. */
    public TensorInfo info(String name) {
        return fileOf(name).info(name);
    }

    /** Tensor {@code name} converted to float32 (BF16, F16 exactly; F64 rounded). */
    public float[] readFloat32(String name) {
        return fileOf(name).readFloat32(name);
    }

    /**
     * Tensor {@code name} converted to float32, after checking that its shape is
     * {@code expectedShape}; a mismatch is an error naming the file and tensor.
     */
    public float[] readFloat32(String name, long... expectedShape) {
        checkShape(info(name), expectedShape, "was expected");
        return readFloat32(name);
    }

    /**
     * Checks that every parameter {@code config} implies is present, floating point, and has the
     * implied shape; the first that is not is a {@link CheckpointException} naming file and tensor.
     *
     * @return the tensors the config does not account for, sorted (a warning, not an error: e.g.
     *     a stored {@code rotary_emb.inv_freq} buffer or an {@code lm_head.weight} beside tied
     *     embeddings)
     */
    public List<String> verify(ModelConfig config) {
        Set<String> expected = new LinkedHashSet<>();
        for (ParameterSpec spec : config.expectedParameters()) {
            expected.add(spec.name());
            if (!contains(spec.name())) {
                throw notFound(spec.name(), ", but " + config.architecture().hfName() + " with "
                        + ModelConfig.FILE_NAME + " (" + config.describe() + ") needs it");
            }
            TensorInfo info = info(spec.name());
            if (!info.dtype().isFloatingPoint()) {
                throw new CheckpointException(info.file(), spec.name(), "dtype " + info.dtype()
                        + " is not a floating-point type (F32, BF16, F16 or F64)");
            }
            checkShape(info, spec.shape(), "follows from " + ModelConfig.FILE_NAME + " (" + config.describe() + ")");
        }
        List<String> unexpected = new ArrayList<>(new TreeSet<>(byName.keySet()));
        unexpected.removeAll(expected);
        if (!unexpected.isEmpty()) {
            log.warn("{}: {} tensor(s) not used by {}: {}", source, unexpected.size(),
                    config.architecture().hfName(), unexpected);
        }
        return List.copyOf(unexpected);
    }

    /** Closes every file; arrays already read stay valid. */
    @Override
    public void close() {
        RuntimeException first = null;
        for (SafetensorsFile file : files) {
            try {
                file.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private SafetensorsFile fileOf(String name) {
        SafetensorsFile file = byName.get(name);
        if (file == null) {
            throw notFound(name, "");
        }
        return file;
    }

    private CheckpointException notFound(String name, String reason) {
        String shards = files.stream().map(f -> f.file().getFileName().toString()).collect(Collectors.joining(", "));
        String where = source.getFileName().toString().equals(INDEX_FILE)
                ? " in the weight_map of the index (shards " + shards + ")" : " in this file";
        return new CheckpointException(source, name, "no such tensor" + where + reason);
    }

    private static void checkShape(TensorInfo info, long[] expected, String reason) {
        if (!info.hasShape(expected)) {
            throw new CheckpointException(info.file(), info.name(), "shape " + Shapes.format(info.shape())
                    + " does not match the " + Shapes.format(expected) + " that " + reason);
        }
    }

    private static void closeQuietly(SafetensorsFile file, Exception primary) {
        try {
            file.close();
        } catch (RuntimeException e) {
            primary.addSuppressed(e);
        }
    }
}

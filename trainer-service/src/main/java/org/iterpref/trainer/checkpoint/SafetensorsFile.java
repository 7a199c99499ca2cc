package org.iterpref.trainer.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One safetensors file, read through read-only memory maps.
 *
 * <p>{@link #open} reads and validates only the header; tensor data stays on disk. Each read maps
 * just that tensor's byte range (in chunks of at most {@value #DEFAULT_CHUNK_BYTES} bytes, because
 * one {@code MappedByteBuffer} cannot exceed 2 GiB) and converts it straight into the returned
 * array, so a file of any size can be read and a tensor is never held twice on the Java heap.
 * Nothing keeps a mapping alive after a read; the operating system pages the file in and out.
 *
 * <p>Every failure — an unreadable, truncated or malformed file, an unknown tensor, a dtype that
 * the asked reader does not convert — is a {@link CheckpointException} naming the file and the
 * tensor. Instances are safe for concurrent reads.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** Largest byte range mapped at once: 1 GiB, a multiple of every element size. */
    static final int DEFAULT_CHUNK_BYTES = 1 << 30;
    /** The largest array the JVM reliably allocates. */
    private static final long MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    private final Path file;
    private final FileChannel channel;
    private final SafetensorsHeader header;
    private final int chunkBytes;

    private SafetensorsFile(Path file, FileChannel channel, SafetensorsHeader header, int chunkBytes) {
        this.file = file;
        this.channel = channel;
        this.header = header;
        this.chunkBytes = chunkBytes;
    }

    /** Opens {@code file} and validates its header. */
    public static SafetensorsFile open(Path file) {
        return open(file, DEFAULT_CHUNK_BYTES);
    }

    /** As {@link #open(Path)}, mapping at most {@code chunkBytes} (a positive multiple of 8) at once. */
    static SafetensorsFile open(Path file, int chunkBytes) {
        if (chunkBytes <= 0 || chunkBytes % Long.BYTES != 0) {
            throw new IllegalArgumentException("chunkBytes must be a positive multiple of 8: " + chunkBytes);
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException e) {
            throw new CheckpointException(file, null, "cannot open: " + e, e);
        }
        try {
            return new SafetensorsFile(file, channel, SafetensorsHeader.read(file, channel), chunkBytes);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel, e);
            throw e instanceof CheckpointException ce ? ce
                    : new CheckpointException(file, null, "cannot read the header: " + e, e);
        }
    }

    /** The file this reads. */
    public Path file() {
        return file;
    }

    /** The tensor names, in header order. */
    public Set<String> names() {
        return header.tensors().keySet();
    }

    /** Whether the file holds a tensor called {@code name}. */
    public boolean contains(String name) {
        return header.tensors().containsKey(name);
    }

    /** The header's {@code __metadata__} (empty when it has none). */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /** The header entry of tensor {@code name}; a {@link CheckpointException} if there is none. */
    public TensorInfo info(String name) {
        TensorInfo info = header.tensors().get(name);
        if (info == null) {
            throw new CheckpointException(file, name, "no such tensor in this file ("
                    + header.tensors().size() + " tensors)");
        }
        return info;
    }

    /** Tensor {@code name} as float32: F32 as stored, BF16 and F16 exactly, F64 rounded. */
    public float[] readFloat32(String name) {
        TensorInfo info = checkedInfo(name, DType::isFloatingPoint, "float32", "F32, BF16, F16 or F64");
        float[] values = new float[(int) info.numElements()];
        forEachChunk(info, (bytes, offset) -> TensorDecoder.toFloat32(info.dtype(), bytes, values, offset));
        return values;
    }

    /** Tensor {@code name} as float64: F64 as stored, F32, BF16 and F16 widened exactly. */
    public double[] readFloat64(String name) {
        TensorInfo info = checkedInfo(name, DType::isFloatingPoint, "float64", "F64, F32, BF16 or F16");
        double[] values = new double[(int) info.numElements()];
        forEachChunk(info, (bytes, offset) -> TensorDecoder.toFloat64(info.dtype(), bytes, values, offset));
        return values;
    }

    /** Tensor {@code name} as int64: I64 as stored, narrower integer types extended. */
    public long[] readInt64(String name) {
        TensorInfo info = checkedInfo(name, DType::isInteger, "int64", "I64, I32, U32, I16, U16, I8 or U8");
        long[] values = new long[(int) info.numElements()];
        forEachChunk(info, (bytes, offset) -> TensorDecoder.toInt64(info.dtype(), bytes, values, offset));
        return values;
    }

    /** Tensor {@code name} as booleans; it must be stored as BOOL. */
    public boolean[] readBool(String name) {
        TensorInfo info = checkedInfo(name, t -> t == DType.BOOL, "bool", "BOOL");
        boolean[] values = new boolean[(int) info.numElements()];
        forEachChunk(info, (bytes, offset) -> TensorDecoder.toBool(bytes, values, offset));
        return values;
    }

    /** Closes the file. Arrays already read stay valid; later reads fail. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new CheckpointException(file, null, "cannot close: " + e, e);
        }
    }

    private TensorInfo checkedInfo(String name, Predicate<DType> accepted,
                                   String target, String acceptedNames) {
        TensorInfo info = info(name);
        if (!accepted.test(info.dtype())) {
            throw new CheckpointException(file, name, "dtype " + info.dtype() + " cannot be read as "
                    + target + " (accepted: " + acceptedNames + ")");
        }
        if (info.numElements() > MAX_ARRAY_LENGTH) {
            throw new CheckpointException(file, name, "has " + info.numElements()
                    + " elements, more than one Java array holds (" + MAX_ARRAY_LENGTH + ")");
        }
        return info;
    }

    /**
     * Maps the tensor's bytes chunk by chunk and hands each chunk, with the index of its first
     * element, to {@code decoder}. Chunks are multiples of 8 bytes, so never split an element.
     */
    private void forEachChunk(TensorInfo info, ChunkDecoder decoder) {
        long position = header.dataStart() + info.begin();
        long remaining = info.byteSize();
        int element = 0;
        while (remaining > 0) {
            int length = (int) Math.min(remaining, chunkBytes);
            decoder.decode(map(info, position, length), element);
            position += length;
            remaining -= length;
            element += length / info.dtype().byteSize();
        }
    }

    private ByteBuffer map(TensorInfo info, long position, int length) {
        if (!channel.isOpen()) {
            throw new CheckpointException(file, info.name(), "file is closed");
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, position, length).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException | RuntimeException e) {
            // e.g. the file was truncated after open: mapping past its end fails here, not later.
            throw new CheckpointException(file, info.name(), "cannot map bytes " + position + ".."
                    + (position + length) + ": " + e, e);
        }
    }

    private static void closeQuietly(FileChannel channel, Exception primary) {
        try {
            channel.close();
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }

    /** Decodes one mapped chunk into the destination array, starting at element {@code offset}. */
    @FunctionalInterface
    private interface ChunkDecoder {
        void decode(ByteBuffer bytes, int offset);
    }
}

package org.iterpref.trainer.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes a safetensors file as Hugging Face's {@code safetensors} library does: an 8-byte
 * little-endian header length, a compact JSON header ({@code __metadata__} first, by default
 * {@code {"format": "pt"}}, then each tensor's {@code dtype}, {@code shape} and
 * {@code data_offsets}) padded with spaces to a multiple of 8 bytes, then the data, little-endian,
 * tensors back to back. Tensors are laid out by descending element size, then by name, which
 * keeps each one aligned to its element size (the library sorts the same way).
 *
 * <p>Tensors are collected first and their values produced only while the file is written, one
 * tensor at a time and encoded in chunks, so a model's weights never have to be on the heap
 * together; for the same reason arrays handed in are not copied, but read when the file is
 * written. The file appears at its path only when complete: it is written to a temporary file in
 * the same directory, forced to disk and moved into place atomically.
 */
public final class SafetensorsWriter {

    /** Bytes encoded before each write to the file. */
    private static final int CHUNK_BYTES = 1 << 20;

    private final Map<String, Pending> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    /** A writer with metadata {@code {"format": "pt"}}, as PyTorch checkpoints have. */
    public SafetensorsWriter() {
        metadata.put("format", "pt");
    }

    /** Adds (or replaces) a {@code __metadata__} entry. */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /**
     * Adds float32 values stored as {@code dtype}: F32 as they are, BF16 and F16 rounded to nearest
     * even as PyTorch rounds ({@link HalfFloats}), F64 widened exactly. {@code values} is called
     * once, while the file is written, and must give {@code shape}'s number of elements.
     */
    public SafetensorsWriter addFloats(String name, DType dtype, long[] shape, Supplier<float[]> values) {
        if (dtype != DType.F32 && dtype != DType.BF16 && dtype != DType.F16 && dtype != DType.F64) {
            throw new IllegalArgumentException("float32 values can be stored as F32, BF16, F16 or F64, not " + dtype);
        }
        return add(name, dtype, shape, out -> {
            float[] array = values.get();
            checkLength(name, shape, array.length);
            for (float v : array) {
                out.room(dtype.byteSize());
                switch (dtype) {
                    case F32 -> out.buffer.putFloat(v);
                    case BF16 -> out.buffer.putShort(HalfFloats.floatToBf16(v));
                    case F16 -> out.buffer.putShort(HalfFloats.floatToF16(v));
                    default -> out.buffer.putDouble(v);
                }
            }
        });
    }

    /** As {@link #addFloats(String, DType, long[], Supplier)} with the values at hand. */
    public SafetensorsWriter addFloats(String name, DType dtype, long[] shape, float... values) {
        checkLength(name, shape, values.length);
        return addFloats(name, dtype, shape, () -> values);
    }

    /** Adds an F64 tensor. */
    public SafetensorsWriter addDoubles(String name, long[] shape, double... values) {
        checkLength(name, shape, values.length);
        return add(name, DType.F64, shape, out -> {
            for (double v : values) {
                out.room(Double.BYTES);
                out.buffer.putDouble(v);
            }
        });
    }

    /** Adds an I64 tensor. */
    public SafetensorsWriter addLongs(String name, long[] shape, long... values) {
        checkLength(name, shape, values.length);
        return add(name, DType.I64, shape, out -> {
            for (long v : values) {
                out.room(Long.BYTES);
                out.buffer.putLong(v);
            }
        });
    }

    /** Adds a tensor of any dtype from its raw little-endian bytes (e.g. float16 bit patterns). */
    public SafetensorsWriter addRaw(String name, DType dtype, long[] shape, byte[] littleEndian) {
        long expected = Math.multiplyExact(Shapes.numElements(shape), dtype.byteSize());
        if (littleEndian.length != expected) {
            throw new IllegalArgumentException("'" + name + "': " + dtype + Shapes.format(shape) + " needs "
                    + expected + " bytes, got " + littleEndian.length);
        }
        return add(name, dtype, shape, out -> {
            for (int at = 0; at < littleEndian.length; ) {
                out.room(1);
                int n = Math.min(out.buffer.remaining(), littleEndian.length - at);
                out.buffer.put(littleEndian, at, n);
                at += n;
            }
        });
    }

    /** The names added so far, in the order they were added. */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    /**
     * Writes the file; it replaces {@code file} atomically when complete. On failure nothing is left
     * behind and an existing {@code file} is untouched; the failure is a {@link CheckpointException}
     * naming the file (and the tensor being written), or the exception a values supplier threw.
     *
     * @return {@code file}
     */
    public Path write(Path file) {
        List<Pending> layout = new ArrayList<>(tensors.values());
        layout.sort(Comparator.comparingInt((Pending p) -> -p.dtype().byteSize()).thenComparing(Pending::name));
        byte[] header = header(layout);
        // Not Files.createTempFile: its owner-only permissions would stay with the finished file.
        Path temporary = file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                Output out = new Output(file, channel);
                out.writeDirect(ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
                out.writeDirect(ByteBuffer.wrap(header));
                for (Pending tensor : layout) {
                    out.startTensor();
                    tensor.data().writeTo(out);
                    out.endTensor(tensor);
                }
                out.flush();
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new CheckpointException(file, null, "cannot write: " + e, e);
        } finally {
            deleteQuietly(temporary);
        }
    }

    private SafetensorsWriter add(String name, DType dtype, long[] shape, Encoder data) {
        Objects.requireNonNull(name, "name");
        if (name.equals(SafetensorsHeader.METADATA)) {
            throw new IllegalArgumentException("'" + name + "' is reserved for the metadata");
        }
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("tensor '" + name + "' was already added");
        }
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("'" + name + "': negative dimension in " + Shapes.format(shape));
            }
        }
        tensors.put(name, new Pending(name, dtype, shape.clone(), data));
        return this;
    }

    /** The header JSON for tensors in {@code layout} order, padded with spaces to a multiple of 8 bytes. */
    private byte[] header(List<Pending> layout) {
        ObjectNode root = Json.newObject();
        ObjectNode meta = root.putObject(SafetensorsHeader.METADATA);
        metadata.forEach(meta::put);
        long offset = 0;
        for (Pending tensor : layout) {
            ObjectNode entry = root.putObject(tensor.name());
            entry.put("dtype", tensor.dtype().name());
            var shape = entry.putArray("shape");
            for (long dim : tensor.shape()) {
                shape.add(dim);
            }
            long end = offset + tensor.byteSize();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = Json.compact(root);
        byte[] padded = new byte[(json.length + 7) / 8 * 8];
        System.arraycopy(json, 0, padded, 0, json.length);
        Arrays.fill(padded, json.length, padded.length, (byte) ' ');
        return padded;
    }

    private static void checkLength(String name, long[] shape, long length) {
        if (Shapes.numElements(shape) != length) {
            throw new IllegalArgumentException("'" + name + "': shape " + Shapes.format(shape) + " has "
                    + Shapes.numElements(shape) + " elements, the values " + length);
        }
    }

    private static void deleteQuietly(Path temporary) {
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException ignored) {
            // the write already failed or succeeded; a stray temporary file is all that is left
        }
    }

    /** A tensor waiting to be written. */
    private record Pending(String name, DType dtype, long[] shape, Encoder data) {

        long byteSize() {
            return Math.multiplyExact(Shapes.numElements(shape), dtype.byteSize());
        }
    }

    /** Puts a tensor's elements into {@link Output#buffer}, making {@link Output#room} first. */
    @FunctionalInterface
    private interface Encoder {
        void writeTo(Output out) throws IOException;
    }

    /** The file being written through one reused little-endian buffer; checks each tensor's byte count. */
    private static final class Output {

        private final Path file;
        private final FileChannel channel;
        final ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        private long position;
        private long tensorStart;

        Output(Path file, FileChannel channel) {
            this.file = file;
            this.channel = channel;
        }

        /** Makes sure {@code bytes} (at most one element, 8) more fit in the buffer. */
        void room(int bytes) throws IOException {
            if (buffer.remaining() < bytes) {
                flush();
            }
        }

        void flush() throws IOException {
            buffer.flip();
            writeDirect(buffer);
            buffer.clear();
        }

        /** Writes {@code bytes} whole, bypassing the buffer (which must be empty). */
        void writeDirect(ByteBuffer bytes) throws IOException {
            while (bytes.hasRemaining()) {
                position += channel.write(bytes);
            }
        }

        void startTensor() {
            tensorStart = position + buffer.position();
        }

        void endTensor(Pending tensor) {
            long written = position + buffer.position() - tensorStart;
            if (written != tensor.byteSize()) {
                throw new CheckpointException(file, tensor.name(), "wrote " + written + " bytes for "
                        + tensor.dtype() + Shapes.format(tensor.shape()) + ", which needs " + tensor.byteSize());
            }
        }
    }
}

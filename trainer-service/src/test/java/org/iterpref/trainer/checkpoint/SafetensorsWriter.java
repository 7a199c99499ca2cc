package org.iterpref.trainer.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Writes small safetensors files for tests, well-formed or deliberately broken. */
final class SafetensorsWriter {

    private final Map<String, Entry> tensors = new LinkedHashMap<>();

    private record Entry(String dtype, long[] shape, byte[] data) {
    }

    /** Adds a tensor whose raw little-endian bytes are {@code data}. */
    SafetensorsWriter add(String name, String dtype, long[] shape, byte[] data) {
        tensors.put(name, new Entry(dtype, shape, data));
        return this;
    }

    SafetensorsWriter addF32(String name, long[] shape, float... values) {
        ByteBuffer buffer = littleEndian(values.length * Float.BYTES);
        for (float v : values) {
            buffer.putFloat(v);
        }
        return add(name, "F32", shape, buffer.array());
    }

    /** Adds an F16 or BF16 tensor from raw 16-bit patterns. */
    SafetensorsWriter addHalf(String name, String dtype, long[] shape, short... bits) {
        ByteBuffer buffer = littleEndian(bits.length * Short.BYTES);
        for (short b : bits) {
            buffer.putShort(b);
        }
        return add(name, dtype, shape, buffer.array());
    }

    SafetensorsWriter addI64(String name, long[] shape, long... values) {
        ByteBuffer buffer = littleEndian(values.length * Long.BYTES);
        for (long v : values) {
            buffer.putLong(v);
        }
        return add(name, "I64", shape, buffer.array());
    }

    /** Writes the file with a correct header, tensors laid out back to back in insertion order. */
    Path write(Path file) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        for (Map.Entry<String, Entry> e : tensors.entrySet()) {
            long begin = data.size();
            data.writeBytes(e.getValue().data());
            header.append(",\"").append(e.getKey()).append("\":{\"dtype\":\"").append(e.getValue().dtype())
                    .append("\",\"shape\":").append(jsonArray(e.getValue().shape()))
                    .append(",\"data_offsets\":[").append(begin).append(',').append(data.size()).append("]}");
        }
        return writeRaw(file, header.append('}').toString(), data.toByteArray());
    }

    /** Writes {@code headerJson} (padded to 8 bytes as safetensors does) and {@code data} verbatim. */
    static Path writeRaw(Path file, String headerJson, byte[] data) {
        byte[] json = headerJson.getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return writeRaw(file, header.length, header, data);
    }

    /** Writes a declared header length, then {@code header} and {@code data}, whatever they are. */
    static Path writeRaw(Path file, long declaredHeaderLength, byte[] header, byte[] data) {
        ByteBuffer buffer = littleEndian(Long.BYTES + header.length + data.length);
        buffer.putLong(declaredHeaderLength).put(header).put(data);
        try {
            return Files.write(file, buffer.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String jsonArray(long[] values) {
        return Arrays.stream(values).mapToObj(Long::toString).collect(Collectors.joining(",", "[", "]"));
    }

    private static ByteBuffer littleEndian(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}

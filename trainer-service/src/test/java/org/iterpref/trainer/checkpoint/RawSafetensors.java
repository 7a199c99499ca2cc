package org.iterpref.trainer.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Safetensors files byte by byte, for tests of what the reader does with broken ones (well-formed
 * files come from the main code's {@link SafetensorsWriter}).
 */
final class RawSafetensors {

    private RawSafetensors() {
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

    /** 16-bit patterns (float16 or bfloat16 bits) as little-endian bytes. */
    static byte[] shorts(short... bits) {
        ByteBuffer buffer = littleEndian(bits.length * Short.BYTES);
        for (short b : bits) {
            buffer.putShort(b);
        }
        return buffer.array();
    }

    private static ByteBuffer littleEndian(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}

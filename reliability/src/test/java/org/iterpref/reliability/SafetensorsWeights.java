package org.iterpref.reliability;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The float32 tensors of a safetensors file (8-byte little-endian header length, a JSON header of
 * dtype, shape and data offsets, then the data), read independently of the trainer's own reader.
 */
final class SafetensorsWeights {

    private SafetensorsWeights() {
    }

    static Map<String, float[]> read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, length, 0);
            long headerLength = length.flip().getLong();
            if (headerLength <= 0 || headerLength > 100_000_000) {
                throw new IOException(file + ": header length " + headerLength);
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8);
            JsonNode header = PlatformApi.JSON.readTree(new String(headerBytes.array(), StandardCharsets.UTF_8));
            Map<String, float[]> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> entry : header.properties()) {
                if (entry.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode tensor = entry.getValue();
                if (!tensor.get("dtype").asString().equals("F32")) {
                    throw new IOException(file + ": " + entry.getKey() + " is " + tensor.get("dtype").asString());
                }
                long begin = tensor.get("data_offsets").get(0).asLong();
                long end = tensor.get("data_offsets").get(1).asLong();
                ByteBuffer data = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
                readFully(channel, data, 8 + headerLength + begin);
                float[] values = new float[(int) ((end - begin) / 4)];
                data.flip().asFloatBuffer().get(values);
                tensors.put(entry.getKey(), values);
            }
            return tensors;
        }
    }

    /** The largest absolute difference between two sets of the same tensors. */
    static double maxDifference(Map<String, float[]> a, Map<String, float[]> b) {
        if (!a.keySet().equals(b.keySet())) {
            throw new AssertionError("different tensors: " + a.keySet() + " vs " + b.keySet());
        }
        double worst = 0;
        for (Map.Entry<String, float[]> entry : a.entrySet()) {
            float[] other = b.get(entry.getKey());
            if (other.length != entry.getValue().length) {
                throw new AssertionError(entry.getKey() + ": " + entry.getValue().length + " vs " + other.length);
            }
            for (int i = 0; i < other.length; i++) {
                worst = Math.max(worst, Math.abs((double) entry.getValue()[i] - other[i]));
            }
        }
        return worst;
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new IOException("safetensors file ends early");
            }
        }
    }
}

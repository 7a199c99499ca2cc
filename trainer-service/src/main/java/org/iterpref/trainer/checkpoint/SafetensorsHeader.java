package org.iterpref.trainer.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The parsed and validated header of a safetensors file.
 *
 * <p>Layout: an 8-byte little-endian header length N, N bytes of JSON
 * ({@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}}}),
 * then the data section, which {@code data_offsets} address. Everything a reader later relies on
 * is checked here, so reads never touch bytes outside the file.
 *
 * @param dataStart absolute file position of the data section
 * @param tensors   the tensors in header order
 * @param metadata  the {@code __metadata__} entries (empty when absent)
 */
record SafetensorsHeader(long dataStart, Map<String, TensorInfo> tensors, Map<String, String> metadata) {

    /** The format's own cap on the header (safetensors rejects larger ones too). */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    static final String METADATA = "__metadata__";

    /** Reads and validates the header of the open {@code channel} on {@code file}. */
    static SafetensorsHeader read(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < Long.BYTES) {
            throw new CheckpointException(file, null, "file is " + fileSize
                    + " bytes, too short for the 8-byte header length (truncated?)");
        }
        long headerLength = readFully(channel, 0, Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).getLong();
        checkHeaderLength(file, headerLength, fileSize);
        byte[] json = readFully(channel, Long.BYTES, (int) headerLength).array();
        JsonNode root = Json.parseObject(file, json, "header");
        long dataStart = Long.BYTES + headerLength;
        return parse(file, root, dataStart, fileSize - dataStart);
    }

    private static void checkHeaderLength(Path file, long headerLength, long fileSize) {
        // An unsigned length above 2^63 reads as negative: as wrong as one too large.
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
            throw new CheckpointException(file, null, "header length " + Long.toUnsignedString(headerLength)
                    + " is outside 2.." + MAX_HEADER_BYTES + " (not a safetensors file?)");
        }
        if (headerLength > fileSize - Long.BYTES) {
            throw new CheckpointException(file, null, "header length " + headerLength + " is larger than the "
                    + (fileSize - Long.BYTES) + " bytes after the length field (truncated?)");
        }
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new IOException("unexpected end of file at " + (position + buffer.position()));
            }
        }
        return buffer.flip();
    }

    private static SafetensorsHeader parse(Path file, JsonNode root, long dataStart, long dataLength) {
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = Map.of();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            if (entry.getKey().equals(METADATA)) {
                metadata = parseMetadata(file, entry.getValue());
            } else {
                TensorInfo info = parseTensor(file, entry.getKey(), entry.getValue(), dataLength);
                tensors.put(info.name(), info);
            }
        }
        checkNoOverlap(file, tensors.values());
        return new SafetensorsHeader(dataStart, Collections.unmodifiableMap(tensors), metadata);
    }

    private static Map<String, String> parseMetadata(Path file, JsonNode node) {
        if (!node.isObject()) {
            throw new CheckpointException(file, METADATA, "must be a JSON object of strings");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isString()) {
                throw new CheckpointException(file, METADATA, "value of '" + entry.getKey() + "' is not a string");
            }
            metadata.put(entry.getKey(), entry.getValue().stringValue());
        }
        return Collections.unmodifiableMap(metadata);
    }

    private static TensorInfo parseTensor(Path file, String name, JsonNode node, long dataLength) {
        if (!node.isObject()) {
            throw new CheckpointException(file, name, "header entry is not a JSON object");
        }
        DType dtype = parseDType(file, name, node.get("dtype"));
        long[] shape = parseLongs(file, name, node.get("shape"), "shape", -1);
        long[] offsets = parseLongs(file, name, node.get("data_offsets"), "data_offsets", 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end || end > dataLength) {
            throw new CheckpointException(file, name, "data_offsets [" + begin + ", " + end
                    + "] lie outside the data section of " + dataLength + " bytes (truncated file?)");
        }
        long expectedBytes = byteSize(file, name, dtype, shape);
        if (end - begin != expectedBytes) {
            throw new CheckpointException(file, name, "data_offsets span " + (end - begin) + " bytes but "
                    + dtype + Shapes.format(shape) + " needs " + expectedBytes);
        }
        return new TensorInfo(file, name, dtype, shape, begin, end);
    }

    private static DType parseDType(Path file, String name, JsonNode node) {
        if (node == null || !node.isString()) {
            throw new CheckpointException(file, name, "'dtype' is missing or not a string");
        }
        return DType.fromHeaderName(node.stringValue()).orElseThrow(() -> new CheckpointException(
                file, name, "unknown dtype '" + node.stringValue() + "'"));
    }

    /** A JSON array of non-negative integers; {@code length} -1 means any length. */
    private static long[] parseLongs(Path file, String name, JsonNode node, String field, int length) {
        if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) {
            String size = length >= 0 ? " of " + length : "";
            throw new CheckpointException(file, name, "'" + field + "' is missing or not an array" + size);
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode value = node.get(i);
            if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
                throw new CheckpointException(file, name, "'" + field + "' holds " + value
                        + ", not a non-negative integer");
            }
            values[i] = value.longValue();
        }
        return values;
    }

    private static long byteSize(Path file, String name, DType dtype, long[] shape) {
        try {
            return Math.multiplyExact(Shapes.numElements(shape), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new CheckpointException(file, name, "shape " + Shapes.format(shape) + " overflows a 64-bit size");
        }
    }

    private static void checkNoOverlap(Path file, Iterable<TensorInfo> tensors) {
        List<TensorInfo> byBegin = new ArrayList<>();
        tensors.forEach(t -> {
            if (t.byteSize() > 0) {
                byBegin.add(t);
            }
        });
        byBegin.sort(Comparator.comparingLong(TensorInfo::begin));
        for (int i = 1; i < byBegin.size(); i++) {
            TensorInfo previous = byBegin.get(i - 1);
            TensorInfo current = byBegin.get(i);
            if (current.begin() < previous.end()) {
                throw new CheckpointException(file, current.name(), "data_offsets [" + current.begin() + ", "
                        + current.end() + "] overlap those of '" + previous.name() + "' [" + previous.begin()
                        + ", " + previous.end() + "]");
            }
        }
    }
}

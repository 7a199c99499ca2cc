package org.iterpref.trainer.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.iterpref.trainer.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {

    @TempDir
    Path dir;

    @Test
    void shouldWriteEveryDtypeSoThatTheReaderGetsTheValuesBack() {
        float[] values = {1.0f, -2.5f, 0.1f, 65520f, 1e-8f, Float.NEGATIVE_INFINITY};
        long[] shape = {2, 3};

        Path file = new SafetensorsWriter()
                .addFloats("f32", DType.F32, shape, values)
                .addFloats("bf16", DType.BF16, shape, values)
                .addFloats("f16", DType.F16, shape, values)
                .addFloats("f64", DType.F64, shape, values)
                .addDoubles("doubles", new long[] {2}, Math.PI, -1e300)
                .addLongs("ids", new long[] {3}, 7, -1, Long.MAX_VALUE)
                .addRaw("mask", DType.BOOL, new long[] {2}, new byte[] {1, 0})
                .write(dir.resolve("all.safetensors"));

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.readFloat32("f32")).containsExactly(values);
            assertThat(st.readFloat32("bf16")).containsExactly(rounded(values, DType.BF16));
            assertThat(st.readFloat32("f16")).containsExactly(rounded(values, DType.F16));
            assertThat(st.readFloat32("f16")[3]).as("65520 overflows float16").isEqualTo(Float.POSITIVE_INFINITY);
            assertThat(st.readFloat64("f64")).containsExactly(1.0, -2.5, (double) 0.1f, 65520.0, (double) 1e-8f,
                    Double.NEGATIVE_INFINITY);
            assertThat(st.readFloat64("doubles")).containsExactly(Math.PI, -1e300);
            assertThat(st.readInt64("ids")).containsExactly(7, -1, Long.MAX_VALUE);
            assertThat(st.readBool("mask")).containsExactly(true, false);
            assertThat(st.info("bf16").dtype()).isEqualTo(DType.BF16);
            assertThat(st.info("f16").shape()).containsExactly(2, 3);
            assertThat(st.metadata()).containsExactly(Map.entry("format", "pt"));
        }
    }

    @Test
    void shouldLayOutTheHeaderAsTheSafetensorsLibraryDoes() throws IOException {
        Path file = new SafetensorsWriter()
                .addFloats("b", DType.BF16, new long[] {1}, 1f)
                .addFloats("a", DType.F32, new long[] {1}, 1f)
                .addLongs("z", new long[] {1}, 1)
                .addFloats("c", DType.F32, new long[] {0}, new float[0])
                .write(dir.resolve("layout.safetensors"));

        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, Long.BYTES, (int) headerLength, StandardCharsets.UTF_8);

        assertThat(headerLength % 8).as("header padded to a multiple of 8").isZero();
        assertThat(header.stripTrailing()).isEqualTo("{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"z\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
                + "\"c\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[12,12]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[12,14]}}");
        assertThat(header.substring(header.stripTrailing().length())).matches(" {0,7}");
        assertThat(bytes).hasSize(Long.BYTES + (int) headerLength + 14);
    }

    @Test
    void shouldWriteTinyQwen2sDataSectionByteForByte() throws IOException {
        Path source = Fixtures.model("tiny-qwen2").resolve("model.safetensors");
        SafetensorsWriter writer = new SafetensorsWriter();
        try (SafetensorsFile st = SafetensorsFile.open(source)) {
            for (String name : st.names()) {
                writer.addFloats(name, DType.F32, st.info(name).shape(), st.readFloat32(name));
            }
        }

        Path copy = writer.write(dir.resolve("copy.safetensors"));

        assertThat(dataSection(copy)).as("same tensors, same order, same bytes").isEqualTo(dataSection(source));
    }

    @Test
    void shouldProduceLazyValuesOnlyWhileWritingInFileOrder() {
        List<String> produced = new ArrayList<>();
        SafetensorsWriter writer = new SafetensorsWriter()
                .addFloats("second", DType.F32, new long[] {1}, () -> produce(produced, "second"))
                .addFloats("first", DType.F32, new long[] {1}, () -> produce(produced, "first"));
        assertThat(produced).isEmpty();

        writer.write(dir.resolve("lazy.safetensors"));

        assertThat(produced).containsExactly("first", "second");
        assertThat(writer.names()).containsExactly("second", "first");
    }

    @Test
    void shouldReplaceAnExistingFileOnlyWhenTheNewOneIsComplete() throws IOException {
        Path file = new SafetensorsWriter().addFloats("w", DType.F32, new long[] {1}, 1f)
                .write(dir.resolve("model.safetensors"));
        byte[] before = Files.readAllBytes(file);
        SafetensorsWriter failing = new SafetensorsWriter()
                .addFloats("a", DType.F32, new long[] {1}, 2f)
                .addFloats("b", DType.F32, new long[] {1}, () -> {
                    throw new IllegalStateException("device lost");
                });

        assertThatThrownBy(() -> failing.write(file)).isInstanceOf(IllegalStateException.class).hasMessage("device lost");

        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        assertThat(filesIn(dir)).containsExactly("model.safetensors");

        new SafetensorsWriter().addFloats("w", DType.F32, new long[] {1}, 3f).write(file);

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.readFloat32("w")).containsExactly(3f);
        }
        assertThat(filesIn(dir)).containsExactly("model.safetensors");
    }

    @Test
    void shouldRejectValuesThatDoNotFillTheShapeNamingTheTensor() {
        Path file = dir.resolve("short.safetensors");
        SafetensorsWriter writer = new SafetensorsWriter().addFloats("w", DType.F32, new long[] {2, 2}, () -> new float[3]);

        assertThatThrownBy(() -> writer.write(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'w'").hasMessageContaining("[2, 2] has 4 elements");
        assertThat(file).doesNotExist();
        assertThatThrownBy(() -> new SafetensorsWriter().addLongs("x", new long[] {2}, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldRejectDuplicateNamesReservedNamesAndNonFloatTargets() {
        SafetensorsWriter writer = new SafetensorsWriter().addFloats("w", DType.F32, new long[] {1}, 1f);

        assertThatThrownBy(() -> writer.addFloats("w", DType.F32, new long[] {1}, 1f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already added");
        assertThatThrownBy(() -> writer.addLongs("__metadata__", new long[] {1}, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
        assertThatThrownBy(() -> writer.addFloats("i", DType.I32, new long[] {1}, 1f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not I32");
    }

    private static float[] produce(List<String> produced, String name) {
        produced.add(name);
        return new float[] {1f};
    }

    private static float[] rounded(float[] values, DType dtype) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = dtype == DType.BF16 ? HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(values[i]))
                    : HalfFloats.f16ToFloat(HalfFloats.floatToF16(values[i]));
        }
        return out;
    }

    private static byte[] dataSection(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return Arrays.copyOfRange(bytes, Long.BYTES + (int) headerLength, bytes.length);
    }

    private static List<String> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}

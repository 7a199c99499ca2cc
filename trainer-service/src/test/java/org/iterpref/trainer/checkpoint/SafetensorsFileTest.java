package org.iterpref.trainer.checkpoint;

import org.iterpref.trainer.Fixtures;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.DoubleStream;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {

    private static final long GIB = 1L << 30;

    @Test
    void shouldReadTheHeaderAndF32TensorsOfTinyQwen2() {
        try (SafetensorsFile st = SafetensorsFile.open(Fixtures.model("tiny-qwen2").resolve("model.safetensors"))) {
            TensorInfo embed = st.info("model.embed_tokens.weight");

            assertThat(st.names()).hasSize(26).contains("model.norm.weight").doesNotContain("lm_head.weight");
            assertThat(embed.dtype()).isEqualTo(DType.F32);
            assertThat(embed.shape()).containsExactly(2048, 64);
            assertThat(embed.byteSize()).isEqualTo(2048 * 64 * 4);
            assertThat(st.readFloat32("model.embed_tokens.weight")).hasSize(2048 * 64);
            assertThat(st.readFloat32("model.layers.0.self_attn.k_proj.bias")).hasSize(32);
            float[] norm = st.readFloat32("model.norm.weight");
            assertThat(IntStream.range(0, norm.length).mapToObj(i -> norm[i])).hasSize(64).allMatch(Float::isFinite);
        }
    }

    @Test
    void shouldReadExpectedForwardInt64AndFloat64Tensors() {
        Path file = Fixtures.model("tiny-qwen2").resolve("expected_forward.safetensors");
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            long[] ids = st.readInt64("input_ids");
            long[] mask = st.readInt64("attention_mask");
            double[] logits = st.readFloat64("logits");

            assertThat(st.info("input_ids").dtype()).isEqualTo(DType.I64);
            assertThat(st.info("input_ids").shape()).containsExactly(3, 40);
            assertThat(st.info("logits").dtype()).isEqualTo(DType.F64);
            assertThat(st.info("logits").shape()).containsExactly(3, 40, 2048);
            assertThat(LongStream.of(ids)).hasSize(120).allMatch(id -> id >= 0 && id < 2048);
            assertThat(LongStream.of(mask)).allMatch(m -> m == 0 || m == 1);
            assertThat(mask).startsWith(ones(40)); // row 0 is not padded
            assertThat(mask[40 + 39]).as("row 1 is right-padded").isZero();
            assertThat(DoubleStream.of(logits)).hasSize(3 * 40 * 2048).allMatch(Double::isFinite);
            float[] narrowed = st.readFloat32("logits");
            for (int i = 0; i < logits.length; i += 997) {
                assertThat(narrowed[i]).isEqualTo((float) logits[i]);
            }
        }
    }

    @Test
    void shouldReadBoolMasksThatNestInsideEachOther() {
        try (SafetensorsFile st = SafetensorsFile.open(Fixtures.root().resolve("dpo/batch.safetensors"))) {
            boolean[] lossMask = st.readBool("loss_mask");
            boolean[] focalMask = st.readBool("focal_mask");
            long[] attention = st.readInt64("attention_mask");

            assertThat(st.info("loss_mask").dtype()).isEqualTo(DType.BOOL);
            assertThat(lossMask).hasSameSizeAs(attention).contains(true, false);
            for (int i = 0; i < lossMask.length; i++) {
                assertThat(!focalMask[i] || lossMask[i]).as("focal ⊆ loss at %d", i).isTrue();
                assertThat(!lossMask[i] || attention[i] == 1).as("loss ⊆ attention at %d", i).isTrue();
            }
        }
    }

    @Test
    void shouldReadTheSameValuesWhateverTheMappingChunkSize() {
        Path shard = Fixtures.model("tiny-qwen2-bf16-sharded").resolve("model-00001-of-00002.safetensors");
        try (SafetensorsFile whole = SafetensorsFile.open(shard);
             SafetensorsFile chunked = SafetensorsFile.open(shard, 24)) {
            for (String name : whole.names()) {
                assertThat(chunked.readFloat32(name)).as(name).containsExactly(whole.readFloat32(name));
            }
        }
        assertThatThrownBy(() -> SafetensorsFile.open(shard, 12)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldReadTensorsBeyondTwoGibibytesByMappingOnlyTheirRegion(@TempDir Path dir) throws IOException {
        assumeTrue(Files.getFileStore(dir).getUsableSpace() > 4 * GIB, "needs room for a 3 GiB sparse file");
        Path file = dir.resolve("big.safetensors");
        long padBytes = 3 * GIB;
        String header = "{\"pad\":{\"dtype\":\"U8\",\"shape\":[" + padBytes + "],\"data_offsets\":[0," + padBytes + "]},"
                + "\"x\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[" + padBytes + "," + (padBytes + 16) + "]}}";
        writeSparse(file, header, padBytes, new float[] {1.5f, -2f, 3.25f, 1e-3f});

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.readFloat32("x")).containsExactly(1.5f, -2f, 3.25f, 1e-3f);
            assertThatThrownBy(() -> st.readInt64("pad"))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("'pad'")
                    .hasMessageContaining("more than one Java array holds");
        }
    }

    @Test
    void shouldExposeMetadataAndRejectReadsOfTheWrongKind(@TempDir Path dir) {
        Path file = new SafetensorsWriter().addLongs("ids", new long[] {2}, 7, 9)
                .addFloats("w", DType.F32, new long[] {1}, 0.5f).write(dir.resolve("m.safetensors"));
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.metadata()).containsEntry("format", "pt");
            assertThat(st.readInt64("ids")).containsExactly(7, 9);
            assertThatThrownBy(() -> st.readFloat32("ids")).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("'ids'")
                    .hasMessageContaining("dtype I64 cannot be read as float32");
            assertThatThrownBy(() -> st.readBool("w")).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("'w'").hasMessageContaining("dtype F32 cannot be read as bool");
            assertThatThrownBy(() -> st.info("nope")).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("'nope'")
                    .hasMessageContaining("no such tensor");
        }
    }

    @Test
    void shouldFailClearlyWhenReadAfterClose(@TempDir Path dir) {
        Path file = new SafetensorsWriter().addFloats("w", DType.F32, new long[] {1}, 0.5f).write(dir.resolve("c.safetensors"));
        SafetensorsFile st = SafetensorsFile.open(file);
        st.close();

        assertThatThrownBy(() -> st.readFloat32("w")).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("'w'").hasMessageContaining("closed");
    }

    private static long[] ones(int n) {
        long[] ones = new long[n];
        java.util.Arrays.fill(ones, 1);
        return ones;
    }

    /** Header, then {@code padBytes} of holes, then the floats: the file is 3 GiB but uses a few blocks. */
    private static void writeSparse(Path file, String header, long padBytes, float[] tail) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(Long.BYTES + json.length + padBytes + (long) tail.length * Float.BYTES);
        }
        ByteBuffer head = ByteBuffer.allocate(Long.BYTES + json.length).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(json.length).put(json).flip();
        ByteBuffer data = ByteBuffer.allocate(tail.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : tail) {
            data.putFloat(f);
        }
        data.flip();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(head, 0);
            channel.write(data, Long.BYTES + json.length + padBytes);
        }
    }
}

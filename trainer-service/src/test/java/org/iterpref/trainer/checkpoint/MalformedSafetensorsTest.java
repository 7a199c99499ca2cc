package org.iterpref.trainer.checkpoint;

import org.iterpref.trainer.Fixtures;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every broken file is a {@link CheckpointException} naming the file (and tensor), never a crash. */
class MalformedSafetensorsTest {

    @TempDir
    Path dir;

    private static final byte[] EIGHT_BYTES = new byte[8];

    @Test
    void shouldRejectAFileTruncatedInsideItsData() throws IOException {
        Path file = Fixtures.copyModel("tiny-qwen2", dir.resolve("m")).resolve("model.safetensors");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() / 2);
        }

        CheckpointException e = openFails(file);

        assertThat(e.key()).isPresent();
        assertThat(e).hasMessageContaining("'" + e.key().get() + "'")
                .hasMessageContaining("outside the data section").hasMessageContaining("truncated");
    }

    @Test
    void shouldRejectAFileTooShortForTheHeaderLength() throws IOException {
        Path file = Files.write(dir.resolve("short.safetensors"), new byte[] {1, 2, 3, 4, 5});

        assertThat(openFails(file)).hasMessageContaining("5 bytes, too short");
    }

    @Test
    void shouldRejectAHeaderLengthLargerThanTheFile() {
        byte[] header = "{}".getBytes(StandardCharsets.UTF_8);
        Path file = RawSafetensors.writeRaw(dir.resolve("long.safetensors"), 4096, header, EIGHT_BYTES);

        assertThat(openFails(file)).hasMessageContaining("header length 4096 is larger than the 10 bytes");
    }

    @Test
    void shouldRejectAnAbsurdHeaderLength() {
        Path file = RawSafetensors.writeRaw(dir.resolve("huge.safetensors"), -1L, new byte[16], EIGHT_BYTES);

        assertThat(openFails(file)).hasMessageContaining("header length 18446744073709551615 is outside");
    }

    @Test
    void shouldRejectAHeaderThatIsNotJson() {
        Path file = RawSafetensors.writeRaw(dir.resolve("nojson.safetensors"), "{\"w\": {dtype", EIGHT_BYTES);

        assertThat(openFails(file)).hasMessageContaining("header is not valid JSON");
    }

    @Test
    void shouldRejectAHeaderThatIsNotAnObject() {
        Path file = RawSafetensors.writeRaw(dir.resolve("array.safetensors"), "[1, 2]", EIGHT_BYTES);

        assertThat(openFails(file)).hasMessageContaining("header is not a JSON object");
    }

    @Test
    void shouldRejectDuplicateTensorNames() {
        String entry = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        Path file = RawSafetensors.writeRaw(dir.resolve("dup.safetensors"),
                "{\"w\":" + entry + ",\"w\":" + entry + "}", EIGHT_BYTES);

        assertThat(openFails(file)).hasMessageContaining("not valid JSON").hasMessageContaining("Duplicate").hasMessageContaining("\"w\"");
    }

    @Test
    void shouldRejectAnUnknownDtype() {
        CheckpointException e = openFails(header("\"w\":{\"dtype\":\"F7\",\"shape\":[2],\"data_offsets\":[0,8]}"));

        assertThat(e.key()).contains("w");
        assertThat(e).hasMessageContaining("unknown dtype 'F7'");
    }

    @Test
    void shouldRejectDataOffsetsOutOfRange() {
        CheckpointException e = openFails(header("\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}"));

        assertThat(e.key()).contains("w");
        assertThat(e).hasMessageContaining("data_offsets [0, 16] lie outside the data section of 8 bytes");
    }

    @Test
    void shouldRejectReversedOrNegativeDataOffsets() {
        assertThat(openFails(header("\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}")))
                .hasMessageContaining("'w'").hasMessageContaining("outside the data section");
        assertThat(openFails(header("\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}")))
                .hasMessageContaining("'w'").hasMessageContaining("not a non-negative integer");
    }

    @Test
    void shouldRejectAByteSizeThatDoesNotMatchTheShape() {
        CheckpointException e = openFails(header("\"w\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,8]}"));

        assertThat(e.key()).contains("w");
        assertThat(e).hasMessageContaining("span 8 bytes but BF16[3] needs 6");
    }

    @Test
    void shouldRejectNegativeOrOverflowingShapes() {
        assertThat(openFails(header("\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}")))
                .hasMessageContaining("'w'").hasMessageContaining("'shape' holds -2");
        assertThat(openFails(header("\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                + "\"data_offsets\":[0,8]}"))).hasMessageContaining("'w'").hasMessageContaining("overflows");
    }

    @Test
    void shouldRejectMissingFieldsAndWrongTypes() {
        assertThat(openFails(header("\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}")))
                .hasMessageContaining("'w'").hasMessageContaining("'dtype' is missing");
        assertThat(openFails(header("\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}")))
                .hasMessageContaining("'w'").hasMessageContaining("'data_offsets' is missing or not an array of 2");
        assertThat(openFails(header("\"w\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}")))
                .hasMessageContaining("'w'").hasMessageContaining("'shape' holds 2.5");
        assertThat(openFails(header("\"w\":[1,2]"))).hasMessageContaining("'w'").hasMessageContaining("not a JSON object");
        assertThat(openFails(header("\"__metadata__\":{\"n\":1}")))
                .hasMessageContaining("'__metadata__'").hasMessageContaining("'n' is not a string");
    }

    @Test
    void shouldRejectOverlappingTensors() {
        CheckpointException e = openFails(header("\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}"));

        assertThat(e.key()).contains("b");
        assertThat(e).hasMessageContaining("overlap those of 'a'");
    }

    @Test
    void shouldRejectAMissingFile() {
        assertThat(openFails(dir.resolve("absent.safetensors"))).hasMessageContaining("cannot open");
    }

    @Test
    void shouldAcceptEmptyTensorsAnywhere() {
        Path file = header("\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[4,4]}");
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.readFloat32("e")).isEmpty();
            assertThat(st.readFloat32("a")).hasSize(2);
        }
    }

    /** A file with header {@code {entries}} and 8 data bytes. */
    private Path header(String entries) {
        return RawSafetensors.writeRaw(dir.resolve("bad.safetensors"), "{" + entries + "}", EIGHT_BYTES);
    }

    private static CheckpointException openFails(Path file) {
        CheckpointException e = catchThrowableOfType(CheckpointException.class, () -> SafetensorsFile.open(file).close());
        assertThat(e).as("opening %s should fail", file).isNotNull();
        assertThat(e.file()).isEqualTo(file);
        assertThat(e).hasMessageStartingWith(file.toString());
        return e;
    }
}

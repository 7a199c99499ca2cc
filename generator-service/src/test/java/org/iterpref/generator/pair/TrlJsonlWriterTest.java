package org.iterpref.generator.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The streaming TRL writer writes the same lines as serialising each pair as a map with the JSON
 * mapper did (the export's first version): same keys in the same order, same values, whatever the
 * texts hold — quotes, backslashes, control characters, tabs, non-Latin letters, emoji.
 */
class TrlJsonlWriterTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    static final String AWKWARD = "def f(s):\n\treturn \"ünïcødé\\\" + '\\n' + \u0001 + \u001f + \u007f + 日本 + 😀 </script>\r\n";

    static ExportedPair pair(long id, String origin, UUID run, Integer chosenIteration, String text) {
        return new ExportedPair(id, origin, run, "set-" + id, run, run, chosenIteration,
                chosenIteration == null ? null : chosenIteration - 1, utf8("prompt " + text), utf8("chosen " + text),
                utf8("rejected " + text), "[[0, 4], [9, 12]]", 2, 7, id % 2 == 0, id == 2);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The line as the first version of the export wrote it. */
    static String mapperLine(ExportedPair p) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("prompt", new String(p.promptUtf8(), StandardCharsets.UTF_8));
        line.put("chosen", new String(p.chosenUtf8(), StandardCharsets.UTF_8));
        line.put("rejected", new String(p.rejectedUtf8(), StandardCharsets.UTF_8));
        line.put("error_spans", List.of(new int[] {0, 4}, new int[] {9, 12}));
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("id", p.id());
        metadata.put("origin", p.origin().toLowerCase());
        metadata.put("task_set", p.taskSet());
        metadata.put("run_id", p.runId());
        metadata.put("trajectory_id", p.trajectoryId());
        metadata.put("task_id", p.taskId());
        metadata.put("chosen_iteration", p.chosenIteration());
        metadata.put("rejected_iteration", p.rejectedIteration());
        metadata.put("region_lines", p.regionLines());
        metadata.put("rejected_lines", p.rejectedLines());
        metadata.put("synthetic", p.synthetic());
        metadata.put("already_stored", p.alreadyStored());
        line.put("metadata", metadata);
        return JSON.writeValueAsString(line);
    }

    @Test
    void eachPairIsOneLineWithTheKeysValuesAndOrderOfTheMapperSerialisation() {
        List<ExportedPair> pairs = List.of(pair(1, "GENERATED", UUID.randomUUID(), 3, AWKWARD),
                pair(2, "IMPORTED", null, null, AWKWARD), pair(3, "IMPORTED", null, null, ""));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TrlJsonlWriter writer = new TrlJsonlWriter(out);
        pairs.forEach(writer::write);
        writer.finish();

        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).endsWith("\n");
        List<String> lines = text.lines().toList();
        assertThat(lines).hasSize(pairs.size());
        for (int i = 0; i < pairs.size(); i++) {
            JsonNode written = JSON.readTree(lines.get(i));
            JsonNode expected = JSON.readTree(mapperLine(pairs.get(i)));
            assertThat(written).isEqualTo(expected);
            assertThat(written.propertyNames()).containsExactlyElementsOf(expected.propertyNames());
            assertThat(written.get("metadata").propertyNames())
                    .containsExactlyElementsOf(expected.get("metadata").propertyNames());
        }
        assertThat(JSON.readTree(lines.get(0)).get("rejected").asString()).isEqualTo("rejected " + AWKWARD);
    }

    @Test
    void nothingReachesTheResponseBeforeTheBufferFillsOrTheExportFinishes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TrlJsonlWriter writer = new TrlJsonlWriter(out);
        writer.write(pair(1, "IMPORTED", null, null, "x"));
        assertThat(out.size()).isZero();
        writer.finish();
        assertThat(out.size()).isPositive();
    }
}

package org.iterpref.trainer.storage;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.iterpref.common.pair.CharSpan;
import org.iterpref.trainer.dpo.TrainingPair;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Pairs at rest, normalized: one JSON object per line, {@code {"messages": [{"role", "content"}],
 * "chosen", "rejected", "error_spans": [[start, end], ...]}}, whatever format they came in, plus
 * {@code "task_id"} when the pair's source names the task it was made from (the generator's feed
 * does; uploads do not). An upload or a feed is parsed once into this form; a job (and every resume
 * of it) reads it back.
 */
@Component
public class PairFiles {

    private final JsonMapper json;

    public PairFiles(JsonMapper json) {
        this.json = json;
    }

    /** Writes pairs to a temporary file beside {@code target}, moved into place on {@link Writer#commit}. */
    public Writer create(Path target) {
        try {
            Files.createDirectories(target.getParent());
            Path partial = target.resolveSibling(target.getFileName() + ".partial");
            return new Writer(target, partial, Files.newBufferedWriter(partial, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<TrainingPair> read(Path file) {
        List<TrainingPair> pairs = new ArrayList<>();
        forEach(file, pairs::add);
        return pairs;
    }

    /** Hands each pair of {@code file} to {@code sink} in order, one at a time. */
    public void forEach(Path file, Consumer<TrainingPair> sink) {
        forEachWithTask(file, (pair, taskId) -> sink.accept(pair));
    }

    /** Hands each pair of {@code file} with its task id (null when it has none) to {@code sink} in order. */
    public void forEachWithTask(Path file, BiConsumer<TrainingPair, String> sink) {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (!line.isEmpty()) {
                    JsonNode node = json.readTree(line);
                    JsonNode taskId = node.get("task_id");
                    sink.accept(fromJson(node), taskId == null || taskId.isNull() ? null : taskId.asString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TrainingPair fromJson(JsonNode node) {
        List<TrainingPair.PromptMessage> messages = new ArrayList<>();
        for (JsonNode message : node.get("messages")) {
            messages.add(new TrainingPair.PromptMessage(message.get("role").asString(),
                    message.get("content").asString()));
        }
        List<CharSpan> spans = new ArrayList<>();
        for (JsonNode span : node.get("error_spans")) {
            spans.add(new CharSpan(span.get(0).asInt(), span.get(1).asInt()));
        }
        return new TrainingPair(messages, node.get("chosen").asString(), node.get("rejected").asString(), spans);
    }

    private Map<String, Object> toJson(TrainingPair pair, String taskId) {
        Map<String, Object> line = new LinkedHashMap<>();
        if (taskId != null) {
            line.put("task_id", taskId);
        }
        line.put("messages", pair.messages().stream()
                .map(m -> Map.of("role", m.role(), "content", m.content())).toList());
        line.put("chosen", pair.chosen());
        line.put("rejected", pair.rejected());
        line.put("error_spans", pair.errorSpans().stream().map(s -> List.of(s.start(), s.end())).toList());
        return line;
    }

    /** An open pair file being written; nothing is visible under the target name until committed. */
    public final class Writer implements Closeable {

        private final Path target;
        private final Path partial;
        private final BufferedWriter out;
        private int count;
        private boolean committed;

        private Writer(Path target, Path partial, BufferedWriter out) {
            this.target = target;
            this.partial = partial;
            this.out = out;
        }

        public void write(TrainingPair pair) {
            write(pair, null);
        }

        /** Writes {@code pair} with the id of the task it was made from (null: none). */
        public void write(TrainingPair pair, String taskId) {
            try {
                out.write(json.writeValueAsString(toJson(pair, taskId)));
                out.write('\n');
                count++;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public int count() {
            return count;
        }

        /** Flushes, closes and moves the file into place. */
        public void commit() {
            try {
                out.close();
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                committed = true;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Abandons an uncommitted file. */
        @Override
        public void close() {
            if (committed) {
                return;
            }
            try {
                out.close();
                Files.deleteIfExists(partial);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}

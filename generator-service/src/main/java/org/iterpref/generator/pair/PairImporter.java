package org.iterpref.generator.pair;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.iterpref.common.pair.ErrorRegion;
import org.iterpref.common.pair.ErrorSpans;
import org.iterpref.common.problem.InvalidRequestException;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Imports pairs in the TRL / Target-DPO format — a JSON array or JSONL of {@code {"prompt",
 * "chosen", "rejected"}} strings whose completions may be wrapped in ```python fences, with optional
 * {@code error_spans} (code points into {@code rejected}, whole lines) and {@code synthetic} (at the
 * top level or, as this service exports it, under {@code metadata}). Missing spans are
 * computed from the code inside the fences and returned relative to the completion text. Records
 * are read one at a time; a bad record is reported by its index (from 0) and the good ones kept.
 */
@Component
public class PairImporter {

    static final int MAX_ERRORS = 1000;
    static final String IMPORTED = "IMPORTED";

    private final PairRepository pairs;
    private final PairBuilder filters;
    private final JsonMapper json;

    public PairImporter(PairRepository pairs, PairBuilder filters, JsonMapper json) {
        this.pairs = pairs;
        this.filters = filters;
        this.json = json;
    }

    /** What an import did. */
    public record Report(String set, int records, int kept, Map<String, Integer> filtered, List<RecordError> errors) {
    }

    /** A record that was not imported, by its index in the input (from 0). */
    public record RecordError(int index, String message) {
    }

    public Report importPairs(InputStream body, String set) {
        if (set == null || !set.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            throw InvalidRequestException.of("set", "a set name of 1-100 letters, digits, '.', '_' or '-' is required");
        }
        Tally tally = new Tally(set);
        try {
            BufferedInputStream in = new BufferedInputStream(body);
            if (startsWithArray(in)) {
                readArray(in, tally);
            } else {
                readLines(in, tally);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Report(set, tally.records, tally.kept, tally.filtered, tally.errors);
    }

    private static boolean startsWithArray(BufferedInputStream in) throws IOException {
        in.mark(64);
        int c;
        do {
            c = in.read();
        } while (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0xEF || c == 0xBB || c == 0xBF);
        in.reset();
        return c == '[';
    }

    private void readArray(InputStream in, Tally tally) {
        try (JsonParser parser = json.createParser(in)) {
            parser.nextToken();
            for (JsonToken token = parser.nextToken(); token != null && token != JsonToken.END_ARRAY;
                 token = parser.nextToken()) {
                int index = tally.records++;
                try {
                    JsonNode node = parser.readValueAsTree();
                    tally.add(store(node, tally.set), index);
                } catch (IllegalArgumentException e) {
                    tally.error(index, e.getMessage());
                }
            }
        } catch (JacksonException e) {
            tally.error(tally.records, "not valid JSON: " + e.getOriginalMessage());
        }
    }

    private void readLines(InputStream in, Tally tally) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line; (line = reader.readLine()) != null; ) {
            if (line.isBlank()) {
                continue;
            }
            int index = tally.records++;
            try {
                tally.add(store(json.readTree(line), tally.set), index);
            } catch (IllegalArgumentException e) {
                tally.error(index, e.getMessage());
            } catch (JacksonException e) {
                tally.error(index, "not valid JSON: " + e.getOriginalMessage());
            }
        }
    }

    private FilterReason store(JsonNode node, String set) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("expected an object with prompt, chosen and rejected");
        }
        String prompt = text(node, "prompt");
        String chosen = text(node, "chosen");
        String rejected = text(node, "rejected");
        ErrorRegion region = ErrorSpans.ofWholeLines(ErrorSpans.fromJson(spans(node.get("error_spans"))), rejected,
                chosen);
        boolean synthetic = synthetic(node);
        return pairs.insert(new PairDraft(IMPORTED, null, set, null, null, null, null, prompt, chosen, rejected, region,
                synthetic, filters.filter(region)));
    }

    /**
     * Whether the pair is synthetic (bug injection, not a model's own mistake): {@code synthetic} at
     * the top level, else under {@code metadata}, where this service's own export puts it, so that
     * re-importing an export keeps synthetic pairs synthetic. Absent: false.
     */
    private static boolean synthetic(JsonNode node) {
        JsonNode value = node.get("synthetic");
        String field = "synthetic";
        if (value == null || value.isNull()) {
            JsonNode metadata = node.get("metadata");
            value = metadata != null && metadata.isObject() ? metadata.get("synthetic") : null;
            field = "metadata.synthetic";
        }
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new IllegalArgumentException(field + ": true or false is required");
        }
        return value.asBoolean();
    }

    /** {@code error_spans} as plain Java lists and numbers, for the shared check in {@link ErrorSpans}. */
    private Object spans(JsonNode spans) {
        return spans == null || spans.isNull() ? null : json.treeToValue(spans, Object.class);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isString()) {
            throw new IllegalArgumentException(field + ": a string is required");
        }
        return value.asString();
    }

    /** Running counts of one import. */
    private static final class Tally {
        final String set;
        int records;
        int kept;
        final Map<String, Integer> filtered = new TreeMap<>();
        final List<RecordError> errors = new ArrayList<>();

        Tally(String set) {
            this.set = set;
        }

        void add(FilterReason reason, int index) {
            if (reason == null) {
                kept++;
            } else {
                filtered.merge(reason.name(), 1, Integer::sum);
            }
        }

        void error(int index, String message) {
            if (errors.size() < MAX_ERRORS) {
                errors.add(new RecordError(index, message));
            }
        }
    }

}

package org.iterpref.trainer.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Locates the shared golden fixtures ({@code shared/fixtures}, see its README) by walking up from
 * the working directory: here {@code /work/shared/fixtures}, in CI {@code <clone>/../shared/fixtures}.
 * The system property {@code iterpref.fixtures} or the environment variable {@code
 * ITERPREF_FIXTURES} overrides the search.
 */
final class Fixtures {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private Fixtures() {
    }

    /** The {@code shared/fixtures} directory; fails the test run clearly when there is none. */
    static Path root() {
        return org.iterpref.trainer.Fixtures.root();
    }

    /** A fixture directory such as {@code tokenizer-qwen} or {@code models/tiny-qwen2}. */
    static Path dir(String relative) {
        Path dir = root().resolve(relative);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("fixture directory missing: " + dir);
        }
        return dir;
    }

    /** One tokenizer vector of a {@code vectors.json}. */
    record Vector(int index, String text, long[] ids, List<CodePointSpan> offsets, String decoded) {

        @Override
        public String toString() {
            return "#" + index + " " + JSON.writeValueAsString(text);
        }
    }

    /** The vectors of {@code <fixture>/vectors.json}. */
    static List<Vector> vectors(String fixture) {
        Path file = dir(fixture).resolve("vectors.json");
        JsonNode array;
        try {
            array = JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Vector> vectors = new ArrayList<>();
        for (JsonNode node : array) {
            long[] ids = new long[node.get("ids").size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = node.get("ids").get(i).longValue();
            }
            List<CodePointSpan> offsets = new ArrayList<>();
            for (JsonNode pair : node.get("offsets")) {
                offsets.add(new CodePointSpan(pair.get(0).intValue(), pair.get(1).intValue()));
            }
            vectors.add(new Vector(vectors.size(), node.get("text").stringValue(), ids, offsets,
                    node.get("decoded").stringValue()));
        }
        return vectors;
    }
}

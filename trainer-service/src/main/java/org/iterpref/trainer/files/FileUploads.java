package org.iterpref.trainer.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.iterpref.trainer.config.FineTuningProperties;
import org.iterpref.trainer.serving.OpenAiException;
import org.iterpref.trainer.storage.Ids;
import org.iterpref.trainer.storage.PairFiles;
import org.iterpref.trainer.storage.Storage;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.multipart.MultipartFile;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /v1/files}: the upload is moved to {@code storage/files/<id>/raw} as it arrived on
 * disk, then read line by line (never whole) into normalized pairs in {@code pairs.jsonl}. Bad
 * lines are reported by number and skipped; an upload without one usable pair is refused.
 */
@Component
class FileUploads {

    static final int REPORTED_ERRORS = 20;
    static final int MAX_REASON_CHARS = 200;
    static final String RAW = "raw";
    static final String PAIRS = "pairs.jsonl";

    private final Storage storage;
    private final PairFiles pairFiles;
    private final TrainingFileRepository files;
    private final JsonMapper json;
    private final PairLineParser parser;
    private final FineTuningProperties properties;

    FileUploads(Storage storage, PairFiles pairFiles, TrainingFileRepository files, JsonMapper json,
                FineTuningProperties properties) {
        this.storage = storage;
        this.pairFiles = pairFiles;
        this.files = files;
        this.json = json;
        this.parser = new PairLineParser(json);
        this.properties = properties;
    }

    /** What reading an upload gave. */
    private record Tally(int lines, int pairs, int badLines, List<String> reported) {
    }

    FileObject upload(MultipartFile file, String purpose) {
        if (file == null) {
            throw OpenAiException.invalid("file", "'file' is required: a JSONL file of preference pairs.");
        }
        if (!FileObject.FINE_TUNE.equals(purpose)) {
            throw OpenAiException.invalid("purpose", "'purpose' must be 'fine-tune' (the only purpose this server "
                    + "accepts): " + abbreviate(String.valueOf(purpose)));
        }
        if (file.getSize() > properties.maxFileBytes()) {
            throw tooLarge();
        }
        String id = Ids.next("file-");
        Path dir = storage.fileDir(id);
        try {
            Files.createDirectories(dir);
            Path raw = dir.resolve(RAW);
            file.transferTo(raw.toFile()); // the part's temporary file is moved, not copied, where it can be
            long bytes = Files.size(raw);
            if (bytes > properties.maxFileBytes()) {
                throw tooLarge();
            }
            Tally tally = read(raw, dir.resolve(PAIRS));
            if (tally.pairs() == 0) {
                throw OpenAiException.invalid("file", "The file has no usable preference pair" + (tally.lines() == 0
                        ? " (it is empty)." : ": " + details(tally)));
            }
            TrainingFileEntity entity = new TrainingFileEntity(id, filename(file.getOriginalFilename()), purpose,
                    bytes, tally.badLines() == 0 ? null : details(tally), tally.lines(), tally.pairs(),
                    tally.badLines(), Instant.now());
            return files.save(entity).toObject();
        } catch (IOException e) {
            storage.deleteTree(dir);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            storage.deleteTree(dir);
            throw e;
        }
    }

    private Tally read(Path raw, Path target) throws IOException {
        int max = properties.files().maxPairsPerFile();
        int lines = 0;
        int badLines = 0;
        List<String> reported = new ArrayList<>();
        try (InputStream in = Files.newInputStream(raw);
             Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8);
             PairFiles.Writer out = pairFiles.create(target)) {
            BoundedLineReader lineReader = new BoundedLineReader(reader, properties.files().maxLineChars());
            for (BoundedLineReader.Line line; (line = lineReader.next()) != null; ) {
                if (!line.tooLong() && line.text().isBlank()) {
                    continue;
                }
                lines++;
                String problem = line.tooLong() ? "longer than " + properties.files().maxLineChars() + " characters"
                        : out.count() >= max ? "more than " + max + " pairs in one file" : parse(line.text(), out);
                if (problem != null) {
                    badLines++;
                    if (reported.size() < REPORTED_ERRORS) {
                        reported.add("line " + line.number() + ": " + abbreviate(problem));
                    }
                }
            }
            if (out.count() > 0) {
                out.commit();
            }
            return new Tally(lines, out.count(), badLines, reported);
        }
    }

    /** Null when the line gave a pair, else why not. */
    private String parse(String line, PairFiles.Writer out) {
        try {
            out.write(parser.parse(json.readTree(line)));
            return null;
        } catch (JacksonException e) {
            return "not valid JSON: " + e.getOriginalMessage();
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static String details(Tally tally) {
        StringBuilder text = new StringBuilder().append(tally.badLines()).append(" of ").append(tally.lines())
                .append(tally.lines() == 1 ? " line" : " lines").append(" could not be used: ")
                .append(String.join("; ", tally.reported()));
        if (tally.badLines() > tally.reported().size()) {
            text.append("; and ").append(tally.badLines() - tally.reported().size()).append(" more");
        }
        return text.toString();
    }

    private OpenAiException tooLarge() {
        return new OpenAiException(HttpStatus.CONTENT_TOO_LARGE, "invalid_request_error", "The file is larger than "
                + properties.maxFileBytes() + " bytes (iterpref.trainer.max-file-bytes).", "file", "file_too_large");
    }

    /** The client's file name without any directory, control characters or excess length. */
    static String filename(String original) {
        if (original == null || original.isBlank()) {
            return "upload.jsonl";
        }
        String name = original.substring(Math.max(original.lastIndexOf('/'), original.lastIndexOf('\\')) + 1)
                .replaceAll("\\p{Cntrl}", "_").strip();
        if (name.isEmpty()) {
            return "upload.jsonl";
        }
        return name.length() > 255 ? name.substring(0, 255) : name;
    }

    private static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s+", " ");
        return oneLine.length() <= MAX_REASON_CHARS ? oneLine : oneLine.substring(0, MAX_REASON_CHARS) + "…";
    }
}

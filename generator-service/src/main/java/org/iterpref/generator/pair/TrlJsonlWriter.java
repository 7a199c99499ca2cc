package org.iterpref.generator.pair;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.util.Locale;
import java.util.UUID;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.SerializableString;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.io.SerializedString;
import tools.jackson.core.json.JsonFactory;

/**
 * One TRL / Target-DPO JSONL line per pair — {@code prompt}, {@code chosen}, {@code rejected},
 * {@code error_spans}, {@code metadata} — written by one streaming JSON generator for the whole
 * export straight into a 64 KiB buffer over the response: no object tree, map or string per line.
 */
final class TrlJsonlWriter {

    /**
     * No separator between root values (each line ends with its own newline), and the response is
     * never closed from here: only a complete export may end it.
     */
    private static final JsonFactory LINES = JsonFactory.builder().rootValueSeparator((String) null)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();
    private static final int BUFFER = 1 << 16;

    private static final SerializableString PROMPT = new SerializedString("prompt");
    private static final SerializableString CHOSEN = new SerializedString("chosen");
    private static final SerializableString REJECTED = new SerializedString("rejected");
    private static final SerializableString ERROR_SPANS = new SerializedString("error_spans");
    private static final SerializableString METADATA = new SerializedString("metadata");
    private static final SerializableString ID = new SerializedString("id");
    private static final SerializableString ORIGIN = new SerializedString("origin");
    private static final SerializableString TASK_SET = new SerializedString("task_set");
    private static final SerializableString RUN_ID = new SerializedString("run_id");
    private static final SerializableString TRAJECTORY_ID = new SerializedString("trajectory_id");
    private static final SerializableString TASK_ID = new SerializedString("task_id");
    private static final SerializableString CHOSEN_ITERATION = new SerializedString("chosen_iteration");
    private static final SerializableString REJECTED_ITERATION = new SerializedString("rejected_iteration");
    private static final SerializableString REGION_LINES = new SerializedString("region_lines");
    private static final SerializableString REJECTED_LINES = new SerializedString("rejected_lines");
    private static final SerializableString SYNTHETIC = new SerializedString("synthetic");
    private static final SerializableString ALREADY_STORED = new SerializedString("already_stored");

    private final JsonGenerator json;

    TrlJsonlWriter(OutputStream out) {
        this.json = LINES.createGenerator(ObjectWriteContext.empty(), new BufferedOutputStream(out, BUFFER));
    }

    /** Writes {@code pair} as one line; an I/O failure surfaces as a Jackson I/O exception. */
    void write(ExportedPair pair) {
        json.writeStartObject();
        json.writeName(PROMPT);
        writeUtf8(pair.promptUtf8());
        json.writeName(CHOSEN);
        writeUtf8(pair.chosenUtf8());
        json.writeName(REJECTED);
        writeUtf8(pair.rejectedUtf8());
        json.writeName(ERROR_SPANS);
        json.writeRawValue(pair.errorSpansJson());
        json.writeName(METADATA);
        json.writeStartObject();
        json.writeName(ID);
        json.writeNumber(pair.id());
        json.writeName(ORIGIN);
        json.writeString(lowerCase(pair.origin()));
        json.writeName(TASK_SET);
        json.writeString(pair.taskSet());
        writeUuid(RUN_ID, pair.runId());
        writeUuid(TRAJECTORY_ID, pair.trajectoryId());
        writeUuid(TASK_ID, pair.taskId());
        writeInteger(CHOSEN_ITERATION, pair.chosenIteration());
        writeInteger(REJECTED_ITERATION, pair.rejectedIteration());
        json.writeName(REGION_LINES);
        json.writeNumber(pair.regionLines());
        json.writeName(REJECTED_LINES);
        json.writeNumber(pair.rejectedLines());
        json.writeName(SYNTHETIC);
        json.writeBoolean(pair.synthetic());
        json.writeName(ALREADY_STORED);
        json.writeBoolean(pair.alreadyStored());
        json.writeEndObject();
        json.writeEndObject();
        json.writeRaw('\n');
    }

    private void writeUtf8(byte[] text) {
        json.writeUTF8String(text, 0, text.length);
    }

    /** The two origins there are, without a new string per line. */
    private static String lowerCase(String origin) {
        return switch (origin) {
            case "GENERATED" -> "generated";
            case "IMPORTED" -> "imported";
            default -> origin.toLowerCase(Locale.ROOT);
        };
    }

    private void writeUuid(SerializableString name, UUID value) {
        json.writeName(name);
        if (value == null) {
            json.writeNull();
        } else {
            json.writeString(value.toString());
        }
    }

    private void writeInteger(SerializableString name, Integer value) {
        json.writeName(name);
        if (value == null) {
            json.writeNull();
        } else {
            json.writeNumber(value);
        }
    }

    /** After the last line: sends what is buffered (the container then ends the response). */
    void finish() {
        json.close();
    }
}

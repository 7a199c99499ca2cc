package org.iterpref.trainer.finetune;

import java.util.List;
import java.util.Set;
import org.iterpref.common.pair.CharSpan;
import org.iterpref.common.pair.ErrorSpans;
import org.iterpref.trainer.serving.OpenAiException;
import org.iterpref.trainer.storage.PairLimits;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A checked {@code POST /v1/fine_tuning/focal_mask} body: {@code model}, {@code rejected}, and its
 * error region as a pair gives it — {@code error_spans} ({@code [start, end]} code points of
 * {@code rejected}, sorted and disjoint, any span inside it, as the trainer accepts them from files
 * and the feed), or, when absent, computed from {@code chosen} by the platform's error-region rule,
 * exactly as an uploaded pair's are ({@link ErrorSpans#of}). Errors name the field in {@code param}.
 *
 * @param model the served model whose tokenizer is used
 * @param rejected the rejected completion
 * @param errorSpans its error region, checked
 */
record FocalMaskRequest(String model, String rejected, List<CharSpan> errorSpans) {

    private static final Set<String> FIELDS = Set.of("model", "rejected", "chosen", "error_spans");

    static FocalMaskRequest parse(JsonNode body, JsonMapper json) {
        if (body == null || !body.isObject()) {
            throw OpenAiException.invalid(null, "The request body must be a JSON object: {\"model\", \"rejected\", "
                    + "\"error_spans\" | \"chosen\"}.");
        }
        for (String name : body.propertyNames()) {
            if (!FIELDS.contains(name)) {
                throw OpenAiException.invalid(JobRequest.shorten(name), "Unrecognized request argument supplied: "
                        + JobRequest.shorten(name));
            }
        }
        String model = text(body, "model");
        if (model == null || model.isBlank() || model.length() > JobRequest.MAX_MODEL_CHARS) {
            throw OpenAiException.invalid("model", "'model' is required: a served model id (base or fine-tuned), at "
                    + "most " + JobRequest.MAX_MODEL_CHARS + " characters.");
        }
        String rejected = completion(body, "rejected");
        if (rejected == null || rejected.isBlank()) {
            throw OpenAiException.invalid("rejected", "'rejected' is required: the rejected completion, not blank.");
        }
        String chosen = completion(body, "chosen");
        JsonNode spans = body.get("error_spans");
        boolean given = spans != null && !spans.isNull();
        if (!given && chosen == null) {
            throw OpenAiException.invalid("error_spans", "'error_spans' is required unless 'chosen' is given to "
                    + "compute them from.");
        }
        try {
            List<long[]> checked = given ? ErrorSpans.fromJson(json.treeToValue(spans, Object.class)) : null;
            // given spans are only checked against rejected: without chosen, compare rejected with itself
            return new FocalMaskRequest(model, rejected,
                    ErrorSpans.of(checked, rejected, chosen == null ? rejected : chosen).spans());
        } catch (IllegalArgumentException e) {
            throw OpenAiException.invalid("error_spans", e.getMessage());
        }
    }

    /** A string field, or null when absent; within {@link PairLimits} like any pair's completion. */
    private static String completion(JsonNode body, String field) {
        String value = text(body, field);
        if (value != null) {
            try {
                PairLimits.check(field, value);
            } catch (IllegalArgumentException e) {
                throw OpenAiException.invalid(field, e.getMessage());
            }
        }
        return value;
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isString()) {
            throw OpenAiException.invalid(field, "'" + field + "' must be a string.");
        }
        return value.asString();
    }
}

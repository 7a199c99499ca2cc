package org.iterpref.trainer.finetune;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.List;
import org.iterpref.trainer.dpo.FocalMask;
import org.iterpref.trainer.serving.ModelRegistry;
import org.iterpref.trainer.tokenizer.CodePointSpan;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A preview of focal DPO's mask: which tokens of a rejected completion a job would train on, by the
 * same rule ({@link FocalMask}) and the same tokenizer as training. The token list needs no cap of
 * its own: {@code rejected} is held to the pair limits ({@code PairLimits}: at most 2^20 UTF-16
 * characters and 5,000 lines, the bounds every training pair meets; the request body cap,
 * {@code iterpref.trainer.max-request-bytes}, is tighter still), and a token of a byte-level
 * tokenizer covers at least one UTF-8 byte, so there are at most 3 × 2^20.
 */
@RestController
@Tag(name = "Fine-tuning (OpenAI-compatible)")
class FocalMaskController {

    private final ModelRegistry registry;
    private final JsonMapper json;

    FocalMaskController(ModelRegistry registry, JsonMapper json) {
        this.registry = registry;
        this.json = json;
    }

    @PostMapping(path = "/v1/fine_tuning/focal_mask", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Extension: the tokens of a rejected completion that focal DPO counts",
            description = "{\"model\": a served model id (base or fine-tuned), \"rejected\": text, \"error_spans\": "
                    + "[[start, end], ...] (Unicode code points of rejected, sorted and disjoint, as in pair files and "
                    + "the pair feed), \"chosen\": text (optional; without error_spans the region is computed from it, "
                    + "as for an uploaded pair)}. Answers {\"object\": \"focal_mask\", \"model\", \"tokens\": [{\"text\", "
                    + "\"start\", \"end\", \"focal\"}], \"focal_tokens\", \"total_tokens\"}: every token of rejected in "
                    + "order, start/end in Unicode code points of rejected, the end token left out. Errors name the "
                    + "field in param: model (404 model_not_found when not served), rejected (missing, blank, over the "
                    + "pair limits), chosen, error_spans.")
    FocalMaskObject preview(@RequestBody JsonNode body) {
        FocalMaskRequest request = FocalMaskRequest.parse(body, json);
        try (ModelRegistry.Lease lease = registry.lease(request.model())) {
            FocalMask mask = FocalMask.of(lease.model().tokenizer(), request.rejected(), request.errorSpans());
            List<CodePointSpan> offsets = mask.encoding().offsets();
            List<FocalMaskObject.Token> tokens = new ArrayList<>(offsets.size());
            for (int i = 0; i < offsets.size(); i++) {
                CodePointSpan span = offsets.get(i);
                tokens.add(new FocalMaskObject.Token(span.slice(request.rejected()), span.start(), span.end(),
                        mask.focal()[i]));
            }
            return new FocalMaskObject(FocalMaskObject.OBJECT, lease.model().name(), tokens, mask.focalCount(),
                    tokens.size());
        }
    }
}

package org.iterpref.generator.pair;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import org.iterpref.common.problem.InvalidRequestException;
import org.iterpref.generator.web.BusyException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

@RestController
@RequestMapping(path = "/v1/pairs", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Preference pairs", description = "Chosen/rejected code with the error region of the fix")
class PairController {

    static final int MAX_LIMIT = 1000;
    static final int EXPORT_RETRY_AFTER_SECONDS = 5;

    private final PairRepository pairs;
    private final PairImporter importer;
    private final PairExport export;
    private final ExportSlots slots;

    PairController(PairRepository pairs, PairImporter importer, PairExport export, ExportSlots slots) {
        this.slots = slots;
        this.pairs = pairs;
        this.importer = importer;
        this.export = export;
    }

    @org.springframework.web.bind.annotation.PostMapping(path = "/import", consumes = {"application/json",
            "application/x-ndjson", "application/jsonl", MediaType.TEXT_PLAIN_VALUE})
    @Operation(summary = "Import TRL / Target-DPO pairs: a JSON array or JSONL of prompt/chosen/rejected",
            description = "Completions may be wrapped in ```python fences; error_spans are computed when absent "
                    + "(code points into rejected). Bad records are reported by index; good ones are kept.")
    PairImporter.Report importPairs(@RequestParam String set, jakarta.servlet.http.HttpServletRequest request)
            throws IOException {
        return importer.importPairs(request.getInputStream(), set);
    }

    /** A page of the feed: resume from {@code next} (the last pair's feed position) to continue. */
    record PairPage(List<PreferencePair> pairs, long next) {
    }

    @GetMapping
    @Operation(summary = "The pair feed: kept pairs with a feed position above `after`, in position order "
            + "(keyset pagination)",
            description = "A trainer follows the feed while new pairs arrive by passing back `next` as `after`. "
                    + "Positions are commit-ordered: a pair is served once no transaction that could still commit "
                    + "a pair before it is running, so a follower receives every committed pair exactly once.")
    PairPage feed(@RequestParam(defaultValue = "0") long after, @RequestParam(defaultValue = "100") int limit,
                  @RequestParam(required = false) UUID run, @RequestParam(required = false) String set,
                  @RequestParam(required = false) Boolean synthetic) {
        if (after < 0) {
            throw InvalidRequestException.of("after", "must be >= 0");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw InvalidRequestException.of("limit", "must be between 1 and " + MAX_LIMIT);
        }
        List<PreferencePair> page = pairs.page(after, limit, new PairRepository.Filter(run, set, synthetic));
        return new PairPage(page, page.isEmpty() ? after : page.get(page.size() - 1).feedPosition());
    }

    @GetMapping(path = "/export", produces = "application/x-ndjson")
    @Operation(summary = "Every kept pair as JSONL in the TRL / Target-DPO format (streamed, constant memory)",
            description = "Each line: prompt, chosen, rejected, error_spans ([start, end) code points into "
                    + "rejected) and metadata. A failure after the first line was sent aborts the response (the "
                    + "chunked body never ends), so a client sees an error, never a shorter export.")
    ResponseEntity<StreamingResponseBody> export(@RequestParam(defaultValue = "trl") String format,
                                                 @RequestParam(required = false) UUID run,
                                                 @RequestParam(required = false) String set,
                                                 @RequestParam(required = false) Boolean synthetic) {
        if (!format.equalsIgnoreCase("trl")) {
            throw InvalidRequestException.of("format", "unknown format '" + format + "'; supported: trl");
        }
        PairRepository.Filter filter = new PairRepository.Filter(run, set, synthetic);
        ExportSlots.Slot slot = slots.tryTake().orElseThrow(() -> new BusyException("this instance is already"
                + " streaming " + slots.capacity() + " pair exports (iterpref.generator.max-concurrent-exports); try again"
                + " shortly", EXPORT_RETRY_AFTER_SECONDS));
        StreamingResponseBody body = out -> {
            try (slot) {
                export.write(filter, out);
            }
        };
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/x-ndjson"))
                .header("Content-Disposition", "attachment; filename=\"pairs.jsonl\"").body(body);
    }

    @GetMapping("/stats")
    @Operation(summary = "Pairs kept, filtered by reason, and the distribution of region sizes")
    PairStats stats(@RequestParam(required = false) UUID run, @RequestParam(required = false) String set,
                    @RequestParam(required = false) Boolean synthetic) {
        return pairs.stats(new PairRepository.Filter(run, set, synthetic));
    }
}

package org.iterpref.trainer.files;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.iterpref.trainer.serving.OpenAiException;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartHttpServletRequest;

/** OpenAI's Files API for fine-tuning data: upload, list, retrieve, delete, content. */
@RestController
@Tag(name = "Files (OpenAI-compatible)")
class FileController {

    private static final Set<String> FIELDS = Set.of("file", "purpose");
    private final FileUploads uploads;
    private final TrainingFiles files;

    FileController(FileUploads uploads, TrainingFiles files) {
        this.uploads = uploads;
        this.files = files;
    }

    /** OpenAI's list shape. */
    @Schema(name = "FileList")
    record FileList(@Schema(allowableValues = "list") String object, List<FileObject> data,
                    @com.fasterxml.jackson.annotation.JsonProperty("has_more") boolean hasMore,
                    @com.fasterxml.jackson.annotation.JsonProperty("first_id") String firstId,
                    @com.fasterxml.jackson.annotation.JsonProperty("last_id") String lastId) {
    }

    @PostMapping(path = "/v1/files", consumes = MediaType.MULTIPART_FORM_DATA_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Upload a JSONL file of preference pairs (purpose fine-tune)",
            description = "One pair per line, in OpenAI's DPO format (input.messages, preferred_output, "
                    + "non_preferred_output) or TRL's (prompt, chosen, rejected; prompt may be a message list), with "
                    + "optional error_spans (code points into the rejected completion; computed when absent). Bad "
                    + "lines are reported in status_details by number and skipped; a file without a usable pair is "
                    + "refused (400). Larger than iterpref.trainer.max-file-bytes: 413.")
    FileObject upload(MultipartHttpServletRequest request,
                      @Parameter(description = "must be fine-tune") @RequestParam(name = "purpose", required = false)
                      String purpose) {
        for (String name : request.getFileMap().keySet()) {
            requireKnown(name);
        }
        for (String name : request.getParameterMap().keySet()) {
            requireKnown(name);
        }
        MultipartFile file = request.getFile("file");
        return uploads.upload(file, purpose);
    }

    @GetMapping(path = "/v1/files", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "List uploaded files, newest first by default")
    FileList list(@RequestParam(required = false) String after,
                  @RequestParam(defaultValue = "10000") int limit,
                  @RequestParam(defaultValue = "desc") String order,
                  @RequestParam(required = false) String purpose) {
        if (!order.equals("asc") && !order.equals("desc")) {
            throw OpenAiException.invalid("order", "'order' must be 'asc' or 'desc'.");
        }
        TrainingFiles.Page page = files.list(after, limit, order.equals("desc"), purpose);
        List<FileObject> data = page.data();
        return new FileList("list", data, page.hasMore(), data.isEmpty() ? null : data.get(0).id(),
                data.isEmpty() ? null : data.get(data.size() - 1).id());
    }

    @GetMapping(path = "/v1/files/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "One uploaded file")
    FileObject get(@PathVariable String id) {
        return files.get(id);
    }

    @DeleteMapping(path = "/v1/files/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Delete a file (409 while a job that has not finished uses it)")
    Map<String, Object> delete(@PathVariable String id) {
        files.delete(id);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("object", FileObject.OBJECT);
        body.put("deleted", true);
        return body;
    }

    @GetMapping(path = "/v1/files/{id}/content")
    @Operation(summary = "The file as it was uploaded")
    ResponseEntity<Resource> content(@PathVariable String id) {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM)
                .body(new FileSystemResource(files.content(id)));
    }

    private static void requireKnown(String name) {
        if (!FIELDS.contains(name)) {
            throw OpenAiException.invalid(name.length() > 64 ? name.substring(0, 64) : name,
                    "Unrecognized request argument supplied: " + (name.length() > 64 ? name.substring(0, 64) : name));
        }
    }
}

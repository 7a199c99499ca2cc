package org.iterpref.trainer.files;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.iterpref.trainer.serving.OpenAiException;
import org.iterpref.trainer.storage.Ids;
import org.iterpref.trainer.storage.Storage;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.data.domain.PageRequest;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Stored training files: lookups, listing, deletion, and what a job needs of them. */
@Service
public class TrainingFiles {

    static final int MAX_LIMIT = 10_000;
    private static final List<String> PURPOSES = List.of(FileObject.FINE_TUNE);

    private final TrainingFileRepository files;
    private final JdbcClient jdbc;
    private final Storage storage;
    private final ObjectProvider<FileInUse> users;

    TrainingFiles(TrainingFileRepository files, JdbcClient jdbc, Storage storage, ObjectProvider<FileInUse> users) {
        this.files = files;
        this.jdbc = jdbc;
        this.storage = storage;
        this.users = users;
    }

    /** A page of files, newest first ({@code order=desc}, OpenAI's default) or oldest first. */
    public record Page(List<FileObject> data, boolean hasMore) {
    }

    public FileObject get(String id) {
        return find(id).orElseThrow(() -> notFound(id, "id"));
    }

    Optional<FileObject> find(String id) {
        return Ids.looksLike(id, "file-") ? files.findById(id).map(TrainingFileEntity::toObject) : Optional.empty();
    }

    Page list(String after, int limit, boolean descending, String purpose) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw OpenAiException.invalid("limit", "'limit' must be between 1 and " + MAX_LIMIT + ".");
        }
        if (purpose != null && !purpose.isEmpty() && !PURPOSES.contains(purpose)) {
            return new Page(List.of(), false);
        }
        long cursor = descending ? Long.MAX_VALUE : 0;
        if (after != null && !after.isEmpty()) {
            cursor = (Ids.looksLike(after, "file-") ? files.findById(after) : Optional.<TrainingFileEntity>empty())
                    .map(TrainingFileEntity::seq).orElseThrow(() -> notFound(after, "after"));
        }
        PageRequest page = PageRequest.of(0, limit + 1);
        List<TrainingFileEntity> rows = descending
                ? files.findByPurposeInAndSeqLessThanOrderBySeqDesc(PURPOSES, cursor, page)
                : files.findByPurposeInAndSeqGreaterThanOrderBySeqAsc(PURPOSES, cursor, page);
        boolean more = rows.size() > limit;
        return new Page(rows.stream().limit(limit).map(TrainingFileEntity::toObject).toList(), more);
    }

    /** Deletes a file no unfinished job reads (409 otherwise), its stored bytes and pairs included. */
    @Transactional
    public void delete(String id) {
        boolean locked = Ids.looksLike(id, "file-") && jdbc.sql("select id from training_files where id = ? for update")
                .param(id).query(String.class).optional().isPresent();
        if (!locked) {
            throw notFound(id, "id");
        }
        FileInUse inUse = users.getIfAvailable();
        if (inUse != null && inUse.inUse(id)) {
            throw new OpenAiException(HttpStatus.CONFLICT, "invalid_request_error", "File " + id
                    + " is used by a fine-tuning job that has not finished; cancel it or wait for it to end.",
                    "id", "file_in_use");
        }
        files.deleteById(id);
        storage.deleteTree(storage.fileDir(id));
    }

    /** The upload as it arrived. */
    Path content(String id) {
        get(id);
        return storage.fileDir(id).resolve(FileUploads.RAW);
    }

    /**
     * For a job being created, in its transaction: the number of pairs of file {@code id}, its row
     * share-locked so that it cannot be deleted before the job row exists; 400 about {@code param}
     * when there is no such fine-tune file.
     */
    public int lockForJob(String id, String param) {
        if (!Ids.looksLike(id, "file-")) {
            throw invalidFile(id, param);
        }
        return jdbc.sql("select pairs from training_files where id = ? and purpose = ? for share")
                .params(id, FileObject.FINE_TUNE).query(Integer.class).optional()
                .orElseThrow(() -> invalidFile(id, param));
    }

    /** The normalized pairs of file {@code id}. */
    public Path pairs(String id) {
        return storage.fileDir(id).resolve(FileUploads.PAIRS);
    }

    private static OpenAiException invalidFile(String id, String param) {
        return new OpenAiException(HttpStatus.BAD_REQUEST, "invalid_request_error", "Invalid file ID " + quoted(id)
                + ": no uploaded file with purpose 'fine-tune' has that id.", param, "invalid_file_id");
    }

    private static OpenAiException notFound(String id, String param) {
        return new OpenAiException(HttpStatus.NOT_FOUND, "invalid_request_error", "No such File object: "
                + quoted(id), param, null);
    }

    private static String quoted(String id) {
        String text = String.valueOf(id);
        return text.length() > 64 ? text.substring(0, 64) + "…" : text;
    }
}

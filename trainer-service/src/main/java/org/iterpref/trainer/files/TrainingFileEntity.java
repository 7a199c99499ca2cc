package org.iterpref.trainer.files;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** The JPA mapping of a row of {@code training_files}; the API sees {@link FileObject}. */
@Entity
@Table(name = "training_files")
class TrainingFileEntity {

    @Id
    private String id;
    /** Assigned by the database (bigserial): the listing order. */
    @Column(insertable = false, updatable = false)
    private Long seq;
    @Column(nullable = false)
    private String filename;
    @Column(nullable = false)
    private String purpose;
    @Column(nullable = false)
    private long bytes;
    @Column(nullable = false)
    private String status;
    @Column(name = "status_details")
    private String statusDetails;
    @Column(nullable = false)
    private int lines;
    @Column(nullable = false)
    private int pairs;
    @Column(name = "bad_lines", nullable = false)
    private int badLines;
    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    protected TrainingFileEntity() {
    }

    TrainingFileEntity(String id, String filename, String purpose, long bytes, String statusDetails, int lines,
                       int pairs, int badLines, Instant createdAt) {
        this.id = id;
        this.filename = filename;
        this.purpose = purpose;
        this.bytes = bytes;
        this.status = FileObject.PROCESSED;
        this.statusDetails = statusDetails;
        this.lines = lines;
        this.pairs = pairs;
        this.badLines = badLines;
        this.createdAt = createdAt;
    }

    String id() {
        return id;
    }

    Long seq() {
        return seq;
    }

    int pairs() {
        return pairs;
    }

    FileObject toObject() {
        return new FileObject(id, FileObject.OBJECT, bytes, createdAt.getEpochSecond(), filename, purpose, status,
                statusDetails, pairs, badLines);
    }
}

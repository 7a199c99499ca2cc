package org.iterpref.trainer.files;

/**
 * Whether a job that has not finished reads a file, which then cannot be deleted. Implemented by
 * the job side; asked inside the deletion's transaction, after the file's row is locked.
 */
public interface FileInUse {

    boolean inUse(String fileId);
}

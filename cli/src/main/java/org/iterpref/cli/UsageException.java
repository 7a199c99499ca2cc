package org.iterpref.cli;

/** Options that parse but do not fit together (e.g. the openai source without a model): exit 2. */
public class UsageException extends RuntimeException {

    public UsageException(String message) {
        super(message);
    }
}

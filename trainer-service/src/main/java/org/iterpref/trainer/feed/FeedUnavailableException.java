package org.iterpref.trainer.feed;

/** The pair feed could not be read: unreachable past every retry, or it answered something else than a feed. */
public class FeedUnavailableException extends RuntimeException {

    public FeedUnavailableException(String message) {
        super(message);
    }
}

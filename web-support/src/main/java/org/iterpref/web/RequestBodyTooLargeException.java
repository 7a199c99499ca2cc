package org.iterpref.web;

import java.io.IOException;

/** The request body grew past the configured maximum while it was being read. */
public class RequestBodyTooLargeException extends IOException {

    public RequestBodyTooLargeException(long maxBytes) {
        super("The request body is larger than " + maxBytes + " bytes.");
    }
}

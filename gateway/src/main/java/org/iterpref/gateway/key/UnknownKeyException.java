package org.iterpref.gateway.key;

import java.util.UUID;

/** No key has this id. */
public class UnknownKeyException extends RuntimeException {

    public UnknownKeyException(UUID id) {
        super("No API key has the id " + id + ".");
    }
}

package io.jnatsd.store;

/** A store failed: an I/O error, or corrupt data found on read. */
public class StoreException extends RuntimeException {

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}

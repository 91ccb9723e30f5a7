package io.jnatsd.bench;

/** A run did not deliver exactly what was published: lost, duplicated or reordered messages, or a failed connection. */
public final class VerificationException extends Exception {
    public VerificationException(String message) {
        super(message);
    }
}

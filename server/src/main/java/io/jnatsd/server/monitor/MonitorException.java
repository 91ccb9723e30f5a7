package io.jnatsd.server.monitor;

/** The monitoring listener could not be started; the text is upstream's for the same failure. */
public final class MonitorException extends RuntimeException {
    public MonitorException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.jnatsd.server.config;

/**
 * A reload that cannot be applied: an option that cannot change while the server runs, or a new
 * configuration that does not hold. The message is upstream's (for example
 * {@code config reload not supported for ServerName: old=a, new=b}); the running configuration stays.
 */
public final class ReloadRefusedException extends Exception {
    public ReloadRefusedException(String message) {
        super(message, null, false, false);
    }

    /** Upstream's text for an option that cannot change at run time. */
    public static ReloadRefusedException notSupported(String field, Object oldValue, Object newValue) {
        return new ReloadRefusedException("config reload not supported for " + field + ": old="
                + GoValue.format(oldValue) + ", new=" + GoValue.format(newValue));
    }
}

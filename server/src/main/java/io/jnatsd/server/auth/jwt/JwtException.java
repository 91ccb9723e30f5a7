package io.jnatsd.server.auth.jwt;

/** A JWT that cannot be used: malformed, badly signed, of the wrong kind or invalid claims. */
public final class JwtException extends Exception {
    public JwtException(String message) {
        super(message, null, false, false);
    }
}

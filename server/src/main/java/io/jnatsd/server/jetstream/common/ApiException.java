package io.jnatsd.server.jetstream.common;

/** An API request that fails with one of upstream's JetStream errors. */
public final class ApiException extends Exception {
    private final transient ApiError error;

    public ApiException(ApiError error) {
        super(error.description(), null, false, false);
        this.error = error;
    }

    public static ApiException of(String constant, Object... args) {
        return new ApiException(ApiErrors.of(constant, args));
    }

    public ApiError error() {
        return error;
    }
}

package io.jnatsd.server.jetstream;

/** An API request that fails with one of upstream's JetStream errors. */
final class ApiException extends Exception {
    private final transient ApiError error;

    ApiException(ApiError error) {
        super(error.description(), null, false, false);
        this.error = error;
    }

    static ApiException of(String constant, Object... args) {
        return new ApiException(ApiErrors.of(constant, args));
    }

    ApiError error() {
        return error;
    }
}

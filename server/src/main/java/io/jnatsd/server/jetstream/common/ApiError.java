package io.jnatsd.server.jetstream.common;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A JetStream API error as it goes on the wire: {@code {"code":404,"err_code":10059,"description":"..."}}. */
public record ApiError(@JsonProperty("code") int code,
                       @JsonProperty("err_code") int errCode,
                       @JsonProperty("description") String description) {
}

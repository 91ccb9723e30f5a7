package io.jnatsd.server.jetstream.common;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one JSON mapper of JetStream's configs, state files and API bodies, decoding as Go's encoding/json does. */
public final class JsJson {
    public static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // Go's decoder refuses "5" for a number and "true" for a bool; so do we
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private JsJson() {}
}

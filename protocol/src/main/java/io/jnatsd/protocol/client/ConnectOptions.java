package io.jnatsd.protocol.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;

/**
 * The CONNECT options a client sends. Omitted verbose, pedantic and echo default to true,
 * as upstream's defaults do (a client that sends {@code CONNECT {}} gets +OK replies).
 * Unknown fields are ignored; a field of the wrong type makes the whole CONNECT invalid.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public final class ConnectOptions {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // as Go's encoding/json: a number or boolean is not a string
            .withCoercionConfig(LogicalType.Textual, c -> c
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    @JsonProperty("verbose") public boolean verbose = true;
    @JsonProperty("pedantic") public boolean pedantic = true;
    @JsonProperty("echo") public boolean echo = true;
    @JsonProperty("headers") public boolean headers;
    @JsonProperty("no_responders") public boolean noResponders;
    @JsonProperty("tls_required") public boolean tlsRequired;
    @JsonProperty("protocol") public int protocol;
    @JsonProperty("name") public String name;
    @JsonProperty("lang") public String lang;
    @JsonProperty("version") public String version;
    @JsonProperty("user") public String user;
    @JsonProperty("pass") public String pass;
    @JsonProperty("auth_token") public String authToken;
    @JsonProperty("nkey") public String nkey;
    @JsonProperty("sig") public String sig;
    @JsonProperty("jwt") public String jwt;
    @JsonProperty("account") public String account;
    @JsonProperty("new_account") public Boolean newAccount;

    /** Parses CONNECT's JSON; throws IOException when it is not a valid CONNECT object. */
    public static ConnectOptions parse(InputStream json) throws IOException {
        ConnectOptions o = JSON.readValue(json, ConnectOptions.class);
        if (o == null) throw new IOException("empty CONNECT");
        return o;
    }
}

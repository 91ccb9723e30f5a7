package io.jnatsd.protocol.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The CONNECT options a client sends, decoded as Go's encoding/json decodes them into upstream's
 * options: omitted (or null) verbose, pedantic and echo stay true, as upstream's defaults are (a
 * client that sends {@code CONNECT {}} gets +OK replies); names match case-insensitively; unknown
 * fields are ignored; a value of the wrong type (a number or boolean for a string, a string for a
 * boolean, a fraction for the protocol) makes the whole CONNECT invalid.
 *
 * <p>Decoded field by field from Jackson's streaming parser: databind's reflective set-up cost the
 * first client of a fresh server ~80 ms.
 */
public final class ConnectOptions {
    private static final JsonFactory JSON = new JsonFactory();

    public boolean verbose = true;
    public boolean pedantic = true;
    public boolean echo = true;
    public boolean headers;
    public boolean noResponders;
    public boolean tlsRequired;
    public int protocol;
    public String name;
    public String lang;
    public String version;
    public String user;
    public String pass;
    public String authToken;
    public String nkey;
    public String sig;
    public String jwt;
    public String account;
    public Boolean newAccount;

    /**
     * Parses CONNECT's JSON; throws IOException when it is not a valid CONNECT object. Bytes that
     * are not UTF-8 become U+FFFD, as Go decodes them, rather than making the JSON invalid; only
     * blanks may follow the object (Go refuses anything else after the top-level value).
     */
    public static ConnectOptions parse(ByteBuf json) throws IOException {
        try (JsonParser p = JSON.createParser(json.toString(StandardCharsets.UTF_8))) {
            JsonToken t = p.nextToken();
            if (t == null || t == JsonToken.VALUE_NULL) throw new IOException("empty CONNECT");
            if (t != JsonToken.START_OBJECT) throw new IOException("CONNECT is not a JSON object");
            ConnectOptions o = new ConnectOptions();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName().toLowerCase(Locale.ROOT);
                p.nextToken();
                o.set(field, p);
            }
            endOfValue(p);
            return o;
        }
    }

    /**
     * Checks the JSON of an INFO a client sent as Go's decoding into upstream's Info does: an
     * object (or null) and nothing after it but blanks. Throws IOException otherwise.
     */
    public static void checkInfo(ByteBuf json) throws IOException {
        try (JsonParser p = JSON.createParser(json.toString(StandardCharsets.UTF_8))) {
            JsonToken t = p.nextToken();
            if (t == null) throw new IOException("unexpected end of JSON input");
            if (t != JsonToken.START_OBJECT && t != JsonToken.VALUE_NULL) {
                throw new IOException("cannot unmarshal " + t + " into Go value of type server.Info");
            }
            p.skipChildren();
            endOfValue(p);
        }
    }

    private static void endOfValue(JsonParser p) throws IOException {
        if (p.nextToken() != null) throw new IOException("invalid character after top-level value");
    }

    private void set(String field, JsonParser p) throws IOException {
        switch (field) {
            case "verbose" -> verbose = bool(p, verbose);
            case "pedantic" -> pedantic = bool(p, pedantic);
            case "echo" -> echo = bool(p, echo);
            case "headers" -> headers = bool(p, headers);
            case "no_responders" -> noResponders = bool(p, noResponders);
            case "tls_required" -> tlsRequired = bool(p, tlsRequired);
            case "protocol" -> protocol = integer(p, protocol);
            case "name" -> name = text(p);
            case "lang" -> lang = text(p);
            case "version" -> version = text(p);
            case "user" -> user = text(p);
            case "pass" -> pass = text(p);
            case "auth_token" -> authToken = text(p);
            case "nkey" -> nkey = text(p);
            case "sig" -> sig = text(p);
            case "jwt" -> jwt = text(p);
            case "account" -> account = text(p);
            case "new_account" -> newAccount = p.currentToken() == JsonToken.VALUE_NULL ? null : bool(p, false);
            default -> p.skipChildren(); // unknown: its value, however nested, is skipped (and still checked)
        }
    }

    private static boolean bool(JsonParser p, boolean unchanged) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE -> false;
            case VALUE_NULL -> unchanged;
            default -> throw wrongType(p, "bool");
        };
    }

    private static int integer(JsonParser p, int unchanged) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_NUMBER_INT -> {
                if (p.getNumberType() != JsonParser.NumberType.INT) throw wrongType(p, "int");
                yield p.getIntValue();
            }
            case VALUE_NULL -> unchanged;
            default -> throw wrongType(p, "int");
        };
    }

    private static String text(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_STRING -> p.getText();
            case VALUE_NULL -> null;
            default -> throw wrongType(p, "string");
        };
    }

    /** Go's UnmarshalTypeError text, which upstream logs. */
    private static IOException wrongType(JsonParser p, String goType) throws IOException {
        String what = switch (p.currentToken()) {
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number " + p.getText();
            case VALUE_TRUE, VALUE_FALSE -> "bool";
            case START_ARRAY -> "array";
            case START_OBJECT -> "object";
            default -> String.valueOf(p.currentToken());
        };
        return new IOException("json: cannot unmarshal " + what + " into Go struct field ClientOpts."
                + p.currentName().toLowerCase(Locale.ROOT) + " of type " + goType);
    }
}

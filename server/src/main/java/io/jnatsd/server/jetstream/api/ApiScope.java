package io.jnatsd.server.jetstream.api;

/**
 * What a JetStream API request is about, from its subject's tokens after {@code $JS.API.}: in a
 * cluster the meta leader answers requests that create, change or list streams, and a stream's
 * leader answers those about it (its info, messages and consumers).
 */
final class ApiScope {
    private ApiScope() {}

    /** True for account info and for stream create, update, delete, names, list and restore. */
    static boolean changesStreams(String[] t) {
        if (t.length == 1) return t[0].equals("INFO");
        if (!t[0].equals("STREAM")) return false;
        return switch (t[1]) {
            case "CREATE", "UPDATE", "DELETE", "NAMES", "LIST", "RESTORE" -> true;
            default -> false;
        };
    }

    /** The stream the request is about, or null when it is about the account or every stream. */
    static String stream(String[] t) {
        if (t.length < 3) return null;
        return switch (t[0]) {
            case "STREAM" -> switch (t[1]) {
                case "MSG", "LEADER", "PEER" -> t.length > 3 ? t[3] : null;
                default -> t[2];
            };
            case "DIRECT" -> t[2];
            case "CONSUMER" -> switch (t[1]) {
                case "DURABLE", "LEADER", "MSG" -> t.length > 3 ? t[3] : null;
                default -> t[2];
            };
            default -> null;
        };
    }
}

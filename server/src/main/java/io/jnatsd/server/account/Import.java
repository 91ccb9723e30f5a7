package io.jnatsd.server.account;

/**
 * What an account imports from another: {@code subject} in the exporter's namespace and, in the
 * importer's, the same subject, or {@code to} (a mapping), or for streams {@code prefix.}
 * before it.
 */
public record Import(String account, String subject, boolean service, String to, String prefix) {
    public Import {
        if (to != null && (to.isEmpty() || to.equals(subject))) to = null;
        if (prefix != null && prefix.isEmpty()) prefix = null;
    }
}

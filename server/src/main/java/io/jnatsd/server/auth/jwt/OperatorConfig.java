package io.jnatsd.server.auth.jwt;

import io.jnatsd.conf.ConfException;
import io.jnatsd.conf.GoDuration;
import io.jnatsd.conf.Position;
import io.jnatsd.server.auth.NKeys;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.log.ServerLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads operator mode from the config file's top-level keys, as upstream does:
 * {@code operator} (a JWT, or the path of a file holding one, possibly decorated; one or a list),
 * {@code trusted_keys}, {@code system_account}, {@code resolver} ({@code MEMORY}, or
 * {@code {type: full, dir, allow_delete, limit, interval, timeout}}) and {@code resolver_preload}
 * ({@code {<account key>: <account JWT>}}). Problems are collected with their position.
 */
public final class OperatorConfig {
    /** Every JWT, once encoded, starts with this (the base64 of {@code {"}). */
    private static final String JWT_PREFIX = "eyJ";
    private static final Pattern MEMORY = Pattern.compile("(?i).*(MEM|MEMORY)\\s*.*");
    private static final Pattern URL = Pattern.compile("(?i)\\s*URL.*");

    private final ServerOptions opts;
    private final List<ConfException> errors;

    private OperatorConfig(ServerOptions opts, List<ConfException> errors) {
        this.opts = opts;
        this.errors = errors;
    }

    /**
     * Operator mode for these options, or null when neither {@code operator} nor
     * {@code trusted_keys} is configured. {@code configuredUsers} and {@code configuredAccounts}
     * say whether the config also declares users or accounts, which operators do not allow.
     */
    public static OperatorMode read(ServerOptions opts, boolean configuredUsers, boolean configuredAccounts,
                                    List<ConfException> errors, ServerLog log) {
        return new OperatorConfig(opts, errors).read(configuredUsers, configuredAccounts, log);
    }

    private OperatorMode read(boolean configuredUsers, boolean configuredAccounts, ServerLog log) {
        Object op = opts.otherBlocks.get("operator");
        Object trusted = opts.otherBlocks.get("trusted_keys");
        if (op == null && trusted == null) return null;
        int before = errors.size();
        List<OperatorClaims> operators = operators(op);
        List<String> trustedKeys = trustedKeys(trusted);
        AccountResolver resolver = resolver();
        String system = opts.otherBlocks.get("system_account") == null ? null : String.valueOf(opts.otherBlocks.get("system_account"));
        if (!operators.isEmpty()) {
            Position at = opts.otherPositions.get("operator");
            if (resolver == null && !opts.otherBlocks.containsKey("resolver")) {
                error(at, "operators require an account resolver to be configured");
            }
            if (configuredAccounts) error(at, "operators do not allow Accounts to be configured directly");
            if (configuredUsers) error(at, "operators do not allow users to be configured directly");
            if (!trustedKeys.isEmpty()) error(at, "conflicting options for 'TrustedKeys' and 'TrustedOperators'");
            if (system == null && operators.size() == 1 && !operators.get(0).systemAccount().isEmpty()) {
                system = operators.get(0).systemAccount();
            }
            checkSystemAccount(system, operators, resolver, at);
        }
        Map<String, String> preloads = resolver == null ? Map.of() : preloads(log);
        if (errors.size() > before) return null;
        return new OperatorMode(operators, trustedKeys, system, resolver, preloads, log);
    }

    private void checkSystemAccount(String system, List<OperatorClaims> operators, AccountResolver resolver, Position at) {
        if (system != null) {
            boolean found = false;
            boolean nonEmpty = false;
            for (OperatorClaims o : operators) {
                nonEmpty |= !o.systemAccount().isEmpty();
                found |= o.systemAccount().equals(system);
            }
            if (nonEmpty && !found) error(at, "system_account in config and operator JWT must be identical");
        } else if (resolver != null && resolver.isFull()) {
            error(at, "using nats based account resolver - the system account needs to be specified in configuration or the operator jwt");
        }
    }

    private List<OperatorClaims> operators(Object v) {
        List<OperatorClaims> out = new ArrayList<>();
        if (v == null) return out;
        Position at = opts.otherPositions.get("operator");
        List<Object> items = v instanceof List<?> l ? new ArrayList<>(l) : List.of(v);
        for (Object item : items) {
            if (!(item instanceof String s)) {
                error(at, "error parsing operators: unsupported type " + item.getClass().getSimpleName());
                continue;
            }
            try {
                out.add(OperatorClaims.decode(readJwt(s)));
            } catch (IOException | JwtException e) {
                error(at, "error parsing operator JWT: " + e.getMessage());
            }
        }
        return out;
    }

    /** A JWT file's content (paths resolve from the working directory, as upstream), or the JWT itself inline. */
    private static String readJwt(String fileOrJwt) throws IOException {
        String contents;
        try {
            contents = Files.readString(Path.of(fileOrJwt), StandardCharsets.UTF_8);
        } catch (IOException | java.nio.file.InvalidPathException e) {
            if (!fileOrJwt.startsWith(JWT_PREFIX)) {
                if (e instanceof java.nio.file.NoSuchFileException) {
                    throw new IOException("open " + fileOrJwt + ": no such file or directory");
                }
                throw e instanceof IOException io ? io : new IOException(e.getMessage());
            }
            contents = fileOrJwt;
        }
        return undecorate(contents);
    }

    /** The JWT inside a decorated file ({@code -----BEGIN ... JWT-----} lines around it), or the trimmed text. */
    static String undecorate(String text) {
        String[] lines = text.split("\\R");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].trim().startsWith("-----BEGIN") && lines[i].contains("JWT")) {
                for (int j = i + 1; j < lines.length; j++) {
                    String l = lines[j].trim();
                    if (!l.isEmpty()) return l;
                }
            }
        }
        return text.trim();
    }

    private List<String> trustedKeys(Object v) {
        List<String> keys = new ArrayList<>();
        if (v == null) return keys;
        Position at = opts.otherPositions.get("trusted_keys");
        if (v instanceof String s) {
            keys.add(s);
        } else if (v instanceof List<?> l) {
            for (Object o : l) {
                if (o instanceof String s) keys.add(s);
                else error(at, "error parsing trusted: unsupported type in array " + o.getClass().getSimpleName());
            }
        } else {
            error(at, "error parsing trusted: unsupported type " + v.getClass().getSimpleName());
        }
        for (String k : keys) {
            if (!NKeys.isValidPublicOperatorKey(k)) error(at, "trust key \"" + k + "\" required to be a valid public operator nkey");
        }
        return keys;
    }

    private AccountResolver resolver() {
        Object v = opts.otherBlocks.get("resolver");
        if (v == null) return null;
        Position at = opts.otherPositions.get("resolver");
        if (v instanceof String s) {
            if (MEMORY.matcher(s).matches()) return new MemoryResolver();
            if (URL.matcher(s).matches()) {
                error(at, "URL account resolver is not supported by jnatsd; use MEMORY or {type: full, dir: ...}");
                return null;
            }
        } else if (v instanceof Map<?, ?> m) {
            return directoryResolver(m, at);
        } else {
            error(at, "error parsing operator resolver, wrong type " + v.getClass().getSimpleName());
            return null;
        }
        error(at, "error parsing account resolver, should be MEM or  URL(\"url\") or a map containing dir and type state=[FULL|CACHE])");
        return null;
    }

    private AccountResolver directoryResolver(Map<?, ?> m, Position at) {
        String dir = m.get("dir") == null ? "" : String.valueOf(m.get("dir"));
        String type = m.get("type") == null ? "" : String.valueOf(m.get("type")).toUpperCase(Locale.ROOT);
        boolean allowDelete = Boolean.TRUE.equals(m.get("allow_delete"));
        long limit = m.get("limit") instanceof Number n ? n.longValue() : 0;
        try {
            for (String d : new String[] {"ttl", "interval", "timeout"}) {
                if (m.get(d) != null) GoDuration.parse(String.valueOf(m.get(d)));
            }
        } catch (IllegalArgumentException e) {
            error(at, e.getMessage());
            return null;
        }
        if (dir.isEmpty()) {
            error(at, "dir has no value and needs to point to a directory");
            return null;
        }
        Path path = Path.of(dir);
        if (Files.exists(path) && (!Files.isDirectory(path) || !Files.isWritable(path))) {
            error(at, "dir needs to point to an accessible directory");
            return null;
        }
        switch (type) {
            case "FULL" -> {
                if (m.get("ttl") != null) {
                    error(at, "FULL does not accept ttl");
                    return null;
                }
                try {
                    return new DirectoryResolver(path, limit, allowDelete);
                } catch (IOException e) {
                    error(at, e.getMessage());
                    return null;
                }
            }
            case "CACHE" -> error(at, "the CACHE account resolver is not supported by jnatsd; use type: full");
            default -> error(at, "error parsing account resolver, should be MEM or  URL(\"url\") or a map containing dir and type state=[FULL|CACHE])");
        }
        return null;
    }

    /** The preloaded account JWTs, checked; stored into the resolver when the server is built. */
    private Map<String, String> preloads(ServerLog log) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        Object v = opts.otherBlocks.get("resolver_preload");
        if (v == null) return out;
        Position at = opts.otherPositions.get("resolver_preload");
        if (!(v instanceof Map<?, ?> m)) {
            error(at, "preload should be a map of account_public_key:account_jwt");
            return out;
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof String jwt)) {
                error(at, "preload map value should be a string JWT");
                continue;
            }
            AccountClaims claims;
            try {
                claims = AccountClaims.decode(jwt);
            } catch (JwtException ex) {
                error(at, "invalid account JWT");
                continue;
            }
            if (claims.jwt().timeInvalid(Jwt.now())) {
                log.warn("Account [%s] has validation issues:", key);
                log.warn("  - %s", claims.jwt().isExpired(Jwt.now()) ? "claim is expired" : "claim is not yet valid");
            }
            out.put(key, jwt);
        }
        return out;
    }

    private void error(Position at, String reason) {
        errors.add(new ConfException(at, reason));
    }
}

package io.jnatsd.server.auth;

import io.jnatsd.protocol.wire.GoQuote;

import io.jnatsd.conf.ConfException;
import io.jnatsd.conf.ConfList;
import io.jnatsd.conf.ConfMap;
import io.jnatsd.conf.Position;
import io.jnatsd.server.config.ServerOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The users a config declares, as upstream reads them: {@code authorization { users: [...] }}
 * (bound to the global account) and {@code accounts { NAME: { users: [...] } }} (bound to NAME),
 * each entry a user/password or an nkey, with permissions (else the block's
 * {@code default_permissions}) and allowed connection types. Errors carry file:line:column.
 */
final class UsersConfig {
    /** Connection types a user may be limited to (upstream's jwt constants, upper case). */
    static final Set<String> CONNECTION_TYPES = AuthRequest.CONNECTION_TYPES;

    /** One configured user; {@code nkey} users have no name or password. */
    record Entry(String name, String password, String nkey, String account, Permissions permissions,
                 Set<String> connectionTypes, Position position) {
        User toUser() {
            return new User(nkey != null ? nkey : name, account, permissions, connectionTypes);
        }
    }

    final List<Entry> users = new ArrayList<>();
    final List<Entry> nkeys = new ArrayList<>();
    /** Every account the config declares, in order (users may only be bound to these). */
    final Set<String> accounts = new LinkedHashSet<>();
    final List<ConfException> errors = new ArrayList<>();

    private final ServerOptions opts;
    private final Set<String> seen = new HashSet<>();

    private UsersConfig(ServerOptions opts) {
        this.opts = opts;
    }

    static UsersConfig read(ServerOptions opts) {
        UsersConfig c = new UsersConfig(opts);
        c.readAccounts(opts.otherBlocks.get("accounts"), opts.otherPositions.get("accounts"));
        c.readAuthorization(opts.authorizationBlock);
        c.checkNoAuthUser();
        return c;
    }

    private void readAuthorization(ConfMap auth) {
        if (auth == null) return;
        String usersKey = auth.findKeyIgnoreCase("users");
        Permissions defaults = null;
        for (String k : new String[] {"default_permission", "default_permissions", "permissions"}) {
            String key = auth.findKeyIgnoreCase(k);
            if (key != null) defaults = permissions(auth.get(key), auth.positionOf(key));
        }
        if (usersKey == null) return;
        Position at = auth.positionOf(usersKey);
        List<Entry> parsed = new ArrayList<>();
        if (!parseUsers(auth.get(usersKey), at, User.GLOBAL_ACCOUNT, defaults, parsed)) return;
        add(parsed, at);
    }

    private void readAccounts(Object block, Position at) {
        if (block == null) return;
        if (block instanceof List<?> names) {
            for (int i = 0; i < names.size(); i++) {
                Position p = names instanceof ConfList cl && cl.positionOf(i) != null ? cl.positionOf(i) : at;
                if (!(names.get(i) instanceof String name)) {
                    error(p, "Expected account names to be strings");
                    continue;
                }
                declareAccount(name, p);
            }
            return;
        }
        if (!(block instanceof Map<?, ?> map)) {
            error(at, "Expected map or array to define accounts");
            return;
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String name = String.valueOf(e.getKey());
            Position p = map instanceof ConfMap cm && cm.positionOf(name) != null ? cm.positionOf(name) : at;
            if (map instanceof ConfMap cm && cm.isUsedVariable(name)) continue;
            if (!(e.getValue() instanceof ConfMap acc)) {
                error(p, "Expected map entries for accounts");
                continue;
            }
            if (!declareAccount(name, p)) continue;
            readAccountUsers(name, acc);
        }
    }

    private boolean declareAccount(String name, Position at) {
        if (name.equals(User.GLOBAL_ACCOUNT)) {
            error(at, "\"" + name + "\" is a Reserved Account");
            return false;
        }
        if (!accounts.add(name)) {
            error(at, "Duplicate Account Entry: " + name);
            return false;
        }
        return true;
    }

    private void readAccountUsers(String account, ConfMap acc) {
        String usersKey = acc.findKeyIgnoreCase("users");
        if (usersKey == null) return;
        Permissions defaults = null;
        String dp = acc.findKeyIgnoreCase("default_permissions");
        if (dp != null) defaults = permissions(acc.get(dp), acc.positionOf(dp));
        Position at = acc.positionOf(usersKey);
        List<Entry> parsed = new ArrayList<>();
        if (!parseUsers(acc.get(usersKey), at, account, defaults, parsed)) return;
        if (!parsed.isEmpty()) {
            if (opts.username != null && !opts.username.isEmpty()) {
                error(at, "Can not have a single user/pass and accounts");
                return;
            }
            if (opts.authorizationToken != null && !opts.authorizationToken.isEmpty()) {
                error(at, "Can not have a token and accounts");
                return;
            }
        }
        add(parsed, at);
    }

    private void add(List<Entry> parsed, Position at) {
        for (Entry u : parsed) {
            String id = u.nkey != null ? u.nkey : u.name;
            if (!seen.add(id)) {
                error(at, u.nkey != null ? "Duplicate nkey \"" + id + "\" detected" : "Duplicate user \"" + id + "\" detected");
                continue;
            }
            (u.nkey != null ? nkeys : users).add(u);
        }
    }

    /** Parses a users array into {@code out}; false (with the error recorded) when it is unusable. */
    private boolean parseUsers(Object v, Position at, String account, Permissions defaults, List<Entry> out) {
        if (!(v instanceof List<?> list)) {
            error(at, "Expected users field to be an array, got " + v);
            return false;
        }
        for (int i = 0; i < list.size(); i++) {
            Position p = list instanceof ConfList cl && cl.positionOf(i) != null ? cl.positionOf(i) : at;
            Object item = list.get(i);
            if (!(item instanceof Map<?, ?> um)) {
                error(p, "Expected user entry to be a map/struct, got " + item);
                continue;
            }
            Entry e = parseUser(um, p, account, defaults);
            if (e == null) return false;
            out.add(e);
        }
        return true;
    }

    private Entry parseUser(Map<?, ?> um, Position at, String account, Permissions defaults) {
        String name = null;
        String password = null;
        String nkey = null;
        Permissions perms = null;
        Set<String> types = Set.of();
        for (Map.Entry<?, ?> e : um.entrySet()) {
            String key = String.valueOf(e.getKey());
            Position p = um instanceof ConfMap cm && cm.positionOf(key) != null ? cm.positionOf(key) : at;
            Object v = e.getValue();
            switch (key.toLowerCase(Locale.ROOT)) {
                case "nkey" -> nkey = string(v, p, key);
                case "user", "username" -> name = string(v, p, key);
                case "pass", "password" -> password = string(v, p, key);
                case "permission", "permissions", "authorization" -> perms = permissions(v, p);
                case "allowed_connection_types", "connection_types", "clients" -> types = connectionTypes(v, p);
                default -> {
                    if (!(um instanceof ConfMap cm && cm.isUsedVariable(key))) error(p, "unknown field \"" + key + "\"");
                }
            }
        }
        if (perms == null) perms = defaults;
        if (nkey == null && name == null) {
            error(at, "User entry requires a user");
            return null;
        }
        if (nkey != null) {
            if (!NKeys.isValidPublicUserKey(nkey)) {
                error(at, "Not a valid public nkey for a user");
                return null;
            }
            if (name != null || password != null) {
                error(at, "Nkey users do not take usernames or passwords");
                return null;
            }
        }
        return new Entry(name, password, nkey, account, perms, types, at);
    }

    private Set<String> connectionTypes(Object v, Position at) {
        List<String> names = new ArrayList<>();
        if (v instanceof String s) {
            names.add(s);
        } else if (v instanceof List<?> l) {
            for (Object o : l) {
                if (!(o instanceof String s)) {
                    error(at, "error parsing allowed connection types: unsupported type " + o);
                    return Set.of();
                }
                names.add(s);
            }
        } else {
            error(at, "error parsing allowed connection types: unsupported type " + v);
            return Set.of();
        }
        Set<String> out = new LinkedHashSet<>();
        List<String> unknown = new ArrayList<>();
        for (String n : names) {
            String upper = n.toUpperCase(Locale.ROOT);
            if (CONNECTION_TYPES.contains(upper)) out.add(upper);
            else unknown.add(GoQuote.quote(upper));
        }
        if (!unknown.isEmpty()) error(at, "invalid connection types [" + String.join(" ", unknown) + "]");
        return out;
    }

    private Permissions permissions(Object v, Position at) {
        try {
            return Permissions.parse(v);
        } catch (IllegalArgumentException | ClassCastException e) {
            error(at, e.getMessage());
            return null;
        }
    }

    private String string(Object v, Position at, String field) {
        if (v instanceof String s) return s;
        error(at, "expected a string for \"" + field + "\", got " + v);
        return null;
    }

    private void checkNoAuthUser() {
        checkNoAuthUser(opts.noAuthUser, null);
    }

    /** Upstream's validateNoAuthUser for {@code nau} (the server's or the websocket block's), reported at {@code at}. */
    void checkNoAuthUser(String nau, Position at) {
        if (nau == null || nau.isEmpty()) return;
        if (opts.otherBlocks.containsKey("operator") || opts.otherBlocks.containsKey("trusted_keys")) {
            error(at, "no_auth_user not compatible with Trusted Operator");
            return;
        }
        if (users.isEmpty()) {
            error(at, "no_auth_user: \"" + nau + "\" present, but users are not defined");
            return;
        }
        for (Entry u : users) {
            if (nau.equals(u.name)) return;
        }
        error(at, "no_auth_user: \"" + nau + "\" not present as user in authorization block or account configuration");
    }

    private void error(Position at, String reason) {
        errors.add(new ConfException(at, reason));
    }

    /** Users by name, in config order. */
    Map<String, Entry> usersByName() {
        Map<String, Entry> m = new LinkedHashMap<>();
        for (Entry u : users) m.put(u.name, u);
        return m;
    }
}

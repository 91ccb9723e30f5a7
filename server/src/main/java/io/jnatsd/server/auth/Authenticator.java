package io.jnatsd.server.auth;

import io.jnatsd.protocol.wire.GoQuote;

import io.jnatsd.conf.ConfException;
import io.jnatsd.conf.Position;
import io.jnatsd.protocol.client.ConnectOptions;
import io.jnatsd.server.auth.jwt.JwtAuthentication;
import io.jnatsd.server.auth.jwt.OperatorConfig;
import io.jnatsd.server.auth.jwt.OperatorMode;
import io.jnatsd.server.config.ConfigException;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.config.TlsOptions;
import io.jnatsd.server.config.MqttOptions;
import io.jnatsd.server.config.WebsocketOptions;
import io.jnatsd.server.log.ServerLog;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who a client is, from what it presents: upstream's client authentication, in upstream's
 * order. An nkey (when the client sends one and nkey users exist) is checked by its signature of
 * the INFO nonce; otherwise, with {@code users}, the user is found by the TLS certificate
 * ({@code verify_and_map}), by {@code no_auth_user} for a client that sent no credentials, or by
 * name, and its password checked; otherwise the single {@code token}, else the single
 * {@code user}/{@code password}. Passwords and tokens may be bcrypt hashes.
 * In operator mode ({@code operator} or {@code trusted_keys} configured) every client needs a
 * user JWT instead ({@link JwtAuthentication}).
 * Immutable and thread-safe (operator mode's account claims change through its own updates).
 */
public final class Authenticator {
    private final ServerLog log;
    private final String token;
    private final String username;
    private final String password;
    private final Map<String, UsersConfig.Entry> users;
    private final Map<String, UsersConfig.Entry> nkeys;
    private final String noAuthUser;
    private final boolean tlsMap;
    private final Set<String> accounts;
    private final boolean required;
    /** Whether any configured secret is a bcrypt hash (checking one takes milliseconds of CPU). */
    private final boolean anyBcrypt;
    /** Operator mode, or null. */
    private final OperatorMode operatorMode;
    private final JwtAuthentication jwtAuthentication;

    private Authenticator(ServerOptions o, UsersConfig config, OperatorMode operatorMode, ServerLog log) {
        this.log = log;
        this.token = emptyToNull(o.authorizationToken);
        this.username = emptyToNull(o.username);
        this.password = o.password == null ? "" : o.password;
        this.users = Collections.unmodifiableMap(config.usersByName());
        Map<String, UsersConfig.Entry> nk = new LinkedHashMap<>();
        for (UsersConfig.Entry e : config.nkeys) nk.put(e.nkey(), e);
        this.nkeys = Collections.unmodifiableMap(nk);
        this.noAuthUser = emptyToNull(o.noAuthUser);
        TlsOptions tls = o.effectiveTls();
        this.tlsMap = tls != null && tls.verifyAndMap;
        this.accounts = Collections.unmodifiableSet(config.accounts);
        this.operatorMode = operatorMode;
        this.jwtAuthentication = operatorMode == null ? null : new JwtAuthentication(operatorMode, log);
        this.required = operatorMode != null || !users.isEmpty() || !nkeys.isEmpty() || username != null || token != null;
        boolean bc = Passwords.isBcrypt(token) || Passwords.isBcrypt(password);
        for (UsersConfig.Entry u : users.values()) bc |= Passwords.isBcrypt(u.password());
        this.anyBcrypt = bc;
    }

    /** The same users, nkeys and operator mode, with the single user, token, no_auth_user and TLS mapping replaced. */
    private Authenticator(Authenticator base, String username, String password, String token, String noAuthUser,
                          boolean tlsMap) {
        this.log = base.log;
        this.token = emptyToNull(token);
        this.username = emptyToNull(username);
        this.password = password == null ? "" : password;
        this.users = base.users;
        this.nkeys = base.nkeys;
        this.noAuthUser = emptyToNull(noAuthUser);
        this.tlsMap = tlsMap;
        this.accounts = base.accounts;
        this.operatorMode = base.operatorMode;
        this.jwtAuthentication = base.jwtAuthentication;
        this.required = operatorMode != null || !users.isEmpty() || !nkeys.isEmpty() || this.username != null
                || this.token != null;
        boolean bc = Passwords.isBcrypt(this.token) || Passwords.isBcrypt(this.password);
        for (UsersConfig.Entry u : users.values()) bc |= Passwords.isBcrypt(u.password());
        this.anyBcrypt = bc;
    }

    /**
     * Who WebSocket clients are, as upstream decides for them: the server's users, nkeys and operator mode, the
     * TLS mapping of the websocket block's {@code tls}, and, when the block overrides authentication (a user, a
     * token or a no_auth_user in it, see {@link WebsocketOptions#authOverride()}), its user, token and no_auth_user
     * instead of the server's. Checks the block as upstream's validateWebsocketOptions does, errors at the keys.
     */
    public Authenticator forWebsocket(ServerOptions o) throws ConfigException {
        WebsocketOptions ws = o.websocket;
        List<ConfException> errors = listenerErrors(o, "websocket", ws.noAuthUser, ws.noAuthUserAt, ws.username,
                ws.token, ws.authorizationAt, ws.at);
        if (ws.jwtCookie != null && !ws.jwtCookie.isEmpty() && operatorMode == null) {
            errors.add(new ConfException(ws.jwtCookieAt != null ? ws.jwtCookieAt : ws.at,
                    "trusted operators or trusted keys configuration is required for JWT authentication via cookie "
                            + GoQuote.quote(ws.jwtCookie)));
        }
        if (!errors.isEmpty()) throw new ConfigException(errors, List.of());
        boolean map = ws.tls != null && ws.tls.verifyAndMap;
        if (ws.authOverride()) return new Authenticator(this, ws.username, ws.password, ws.token, ws.noAuthUser, map);
        return new Authenticator(this, username, password, token, noAuthUser, map);
    }

    /**
     * Who MQTT clients are, by upstream's rule for them (mqttConfigAuth, validateMQTTOptions): as for WebSocket
     * clients, the {@code mqtt} block's user, token and no_auth_user replace the server's when it sets any.
     */
    public Authenticator forMqtt(ServerOptions o) throws ConfigException {
        MqttOptions m = o.mqtt;
        List<ConfException> errors = listenerErrors(o, "mqtt", m.noAuthUser, m.noAuthUserAt, m.username, m.token,
                m.authorizationAt, m.at);
        if (!errors.isEmpty()) throw new ConfigException(errors, List.of());
        boolean map = m.tls != null && m.tls.verifyAndMap;
        if (m.authOverride()) return new Authenticator(this, m.username, m.password, m.token, m.noAuthUser, map);
        return new Authenticator(this, username, password, token, noAuthUser, map);
    }

    /** The checks upstream makes of a listener block's own authorization: its no_auth_user, its user or token beside users. */
    private List<ConfException> listenerErrors(ServerOptions o, String block, String blockNoAuthUser, Position noAuthUserAt,
                                               String blockUser, String blockToken, Position authorizationAt,
                                               Position blockAt) {
        List<ConfException> errors = new ArrayList<>();
        if (blockNoAuthUser != null && !blockNoAuthUser.isEmpty()) {
            UsersConfig probe = UsersConfig.read(o); // the server's own users were checked by create()
            probe.errors.clear();
            probe.checkNoAuthUser(blockNoAuthUser, noAuthUserAt != null ? noAuthUserAt : blockAt);
            errors.addAll(probe.errors);
        }
        Position authAt = authorizationAt != null ? authorizationAt : blockAt;
        if (!users.isEmpty() || !nkeys.isEmpty()) {
            if (blockUser != null && !blockUser.isEmpty()) {
                errors.add(new ConfException(authAt, block + " authentication username not compatible with presence of users/nkeys"));
            }
            if (blockToken != null && !blockToken.isEmpty()) {
                errors.add(new ConfException(authAt, block + " authentication token not compatible with presence of users/nkeys"));
            }
        }
        return errors;
    }

    /**
     * Builds the authenticator for these options, checking the users, nkeys, permissions and
     * no_auth_user they declare; throws with every error found (file:line:column each).
     */
    public static Authenticator create(ServerOptions o, ServerLog log) throws ConfigException {
        UsersConfig config = UsersConfig.read(o);
        ServerLog l = log == null ? ServerLog.silent() : log;
        OperatorMode operatorMode = OperatorConfig.read(o, !config.users.isEmpty() || !config.nkeys.isEmpty(),
                !config.accounts.isEmpty(), config.errors, l);
        if (!config.errors.isEmpty()) throw new ConfigException(config.errors, List.of());
        return new Authenticator(o, config, operatorMode, l);
    }

    /** Warnings to log once at start-up, as upstream does for plaintext passwords. */
    public List<String> startupWarnings() {
        List<String> out = new ArrayList<>();
        boolean plaintext = username != null && !password.isEmpty() && !Passwords.isBcrypt(password);
        for (UsersConfig.Entry u : users.values()) {
            String pw = u.password() == null ? "" : u.password();
            if (pw.isEmpty() && tlsMap) continue;
            if (!Passwords.isBcrypt(pw)) plaintext = true;
        }
        if (plaintext) out.add("Plaintext passwords detected, use nkeys or bcrypt");
        return out;
    }

    /** Whether clients must authenticate (INFO's {@code auth_required}). */
    public boolean authRequired() {
        return required;
    }

    /** Whether INFO must carry a nonce for clients to sign: when nkey users or trusted operators are configured. */
    public boolean needsNonce() {
        return !nkeys.isEmpty() || operatorMode != null;
    }

    /** Operator mode (trusted operators, the account resolver, account claims), or null when not configured. */
    public OperatorMode operatorMode() {
        return operatorMode;
    }

    /** The accounts the config declares (clients may be bound to them), not counting {@code $G}. */
    public Set<String> accountNames() {
        return accounts;
    }

    /**
     * The user a client without credentials becomes when {@code no_auth_user} is set (also used
     * when a client's first operation is not CONNECT), or null.
     */
    public User noAuthUser() {
        if (noAuthUser == null) return null;
        UsersConfig.Entry e = users.get(noAuthUser);
        return e == null ? null : e.toUser();
    }

    /**
     * Whether checking this client means a bcrypt comparison, too slow (milliseconds) for an
     * event loop that serves other clients: the caller may then run {@link #authenticate}
     * elsewhere.
     */
    public boolean isSlow(ConnectOptions c) {
        if (!required || !anyBcrypt || operatorMode != null) return false;
        if (!nkeys.isEmpty() && emptyToNull(c.nkey) != null) return false;
        if (!users.isEmpty() && !tlsMap) {
            String name = emptyToNull(c.user);
            if (name == null && noAuthUser != null && emptyToNull(c.pass) == null && emptyToNull(c.authToken) == null) {
                name = noAuthUser;
            }
            if (name != null) {
                UsersConfig.Entry u = users.get(name);
                return u != null && Passwords.isBcrypt(u.password());
            }
        }
        return true;
    }

    /** Authenticates a client; returns who it is, or null when it must be refused. Thread-safe. */
    public User authenticate(AuthRequest req) {
        if (!required) return new User(null, User.GLOBAL_ACCOUNT, Permissions.ALLOW_ALL, null);
        if (jwtAuthentication != null) return jwtAuthentication.authenticate(req);
        ConnectOptions c = req.connect();
        String nkey = emptyToNull(c.nkey);
        UsersConfig.Entry user = null;
        if (!nkeys.isEmpty() && nkey != null) {
            UsersConfig.Entry e = nkeys.get(nkey);
            if (e == null || !typeAllowed(e, req)) return null;
            return verifyNonceSignature(nkey, req) ? e.toUser() : null;
        } else if (!users.isEmpty()) {
            if (tlsMap) {
                user = userFromCertificate(req);
                if (user == null) return null;
                if (emptyToNull(c.user) != null) {
                    log.warn("User \"%s\" found in connect proto, but user required from cert", c.user);
                }
            } else {
                String name = emptyToNull(c.user);
                String pass = c.pass;
                if (noAuthUser != null && name == null && emptyToNull(c.pass) == null && emptyToNull(c.authToken) == null) {
                    UsersConfig.Entry nau = users.get(noAuthUser);
                    if (nau != null) {
                        // As upstream, the client now presents that user: monitoring names it, and a reload
                        // checks these credentials again (a changed password or a removed user cuts it off).
                        name = nau.name();
                        pass = nau.password();
                        c.user = name;
                        c.pass = pass;
                    }
                }
                if (name != null) {
                    user = users.get(name);
                    if (user == null || !typeAllowed(user, req)) return null;
                    return Passwords.matches(user.password(), pass) ? user.toUser() : null;
                }
            }
        }
        if (user != null) return Passwords.matches(user.password(), c.pass) ? user.toUser() : null;
        if (token != null) {
            return Passwords.matches(token, c.authToken) ? new User(null, User.GLOBAL_ACCOUNT, Permissions.ALLOW_ALL, null) : null;
        }
        if (username != null) {
            if (!username.equals(c.user == null ? "" : c.user)) return null;
            return Passwords.matches(password, c.pass)
                    ? new User(username, User.GLOBAL_ACCOUNT, Permissions.ALLOW_ALL, null) : null;
        }
        return null;
    }

    /**
     * After a reload, upstream's test of whether a connected client must go (clientHasMovedToDifferentAccount):
     * the account of the nkey or user its CONNECT names, {@code ""} when it names neither (the client is then
     * only authenticated again), or null when no such nkey or user is configured now. As upstream, a single
     * {@code user}/{@code password} is not a configured user, so its clients are closed on every reload.
     */
    public String configuredAccount(ConnectOptions c) {
        String nkey = emptyToNull(c.nkey);
        String user = emptyToNull(c.user);
        if (nkey != null) {
            UsersConfig.Entry e = nkeys.get(nkey);
            return e == null ? null : e.toUser().account();
        }
        if (user != null) {
            UsersConfig.Entry e = users.get(user);
            return e == null ? null : e.toUser().account();
        }
        return "";
    }

    /** Whether both have the same nkey users (upstream's reload names them only when they changed). */
    public boolean sameNkeys(Authenticator other) {
        return nkeys.equals(other.nkeys);
    }

    /**
     * The error logged when a client is refused, as upstream words it: naming the nkey or user
     * it tried (never the secret).
     */
    public String failureText(ConnectOptions c) {
        String base = "authentication error";
        if (operatorMode != null) return base;
        if (!nkeys.isEmpty()) return base + " - Nkey " + GoQuote.quote(c == null || c.nkey == null ? "" : c.nkey);
        if (!users.isEmpty()) return base + " - User " + GoQuote.quote(c == null || c.user == null ? "" : c.user);
        return base;
    }

    private boolean verifyNonceSignature(String nkey, AuthRequest req) {
        String sig = req.connect().sig;
        if (sig == null || sig.isEmpty()) {
            log.debug("Signature missing");
            return false;
        }
        byte[] nonce = req.nonce() == null ? new byte[0] : req.nonce().getBytes(StandardCharsets.US_ASCII);
        if (!NKeys.verify(nkey, nonce, sig)) {
            log.debug("Signature not verified");
            return false;
        }
        return true;
    }

    private UsersConfig.Entry userFromCertificate(AuthRequest req) {
        List<X509Certificate> chain = req.peerCertificates();
        if (chain.isEmpty()) {
            log.debug("User required in cert, no peer certificates found");
            return null;
        }
        String name = CertificateIdentity.map(chain.get(0),
                n -> users.containsKey(n) && typeAllowed(users.get(n), req), users.keySet());
        if (name == null) return null;
        log.debug("Using certificate for auth [\"%s\"]", name);
        return users.get(name);
    }

    private static boolean typeAllowed(UsersConfig.Entry e, AuthRequest req) {
        Set<String> allowed = e.connectionTypes();
        return allowed.isEmpty() || allowed.contains(req.connectionType());
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}

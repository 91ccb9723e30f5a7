package io.jnatsd.server.testing;

import static io.jnatsd.server.testing.JwtKit.account;
import static io.jnatsd.server.testing.JwtKit.accountKey;
import static io.jnatsd.server.testing.JwtKit.operator;
import static io.jnatsd.server.testing.JwtKit.operatorKey;
import static io.jnatsd.server.testing.JwtKit.pub;
import static io.jnatsd.server.testing.JwtKit.user;
import static io.jnatsd.server.testing.JwtKit.userKey;

import io.nats.client.Connection;
import io.nats.client.NKey;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * An operator with a system account and accounts of a test's choosing, their JWTs, users with
 * {@code .creds} files, and the config text that trusts the operator (memory or full resolver).
 */
public final class OperatorFixture {
    public final NKey operator = operatorKey();
    public final NKey system = accountKey();
    public final String operatorJwt;
    public final String systemJwt;
    public final Path dir;
    /** Account public key → account JWT, for the resolver. */
    public final Map<String, String> accounts = new LinkedHashMap<>();
    private int users;

    public OperatorFixture() throws IOException {
        this(UnaryOperator.identity());
    }

    public OperatorFixture(UnaryOperator<JwtKit.Claims> editOperator) throws IOException {
        dir = Files.createTempDirectory("jnatsd-jwt");
        operatorJwt = editOperator.apply(operator(operator, "TestOperator").nats("system_account", pub(system))).sign(operator);
        systemJwt = account(system, "SYS").sign(operator);
        accounts.put(pub(system), systemJwt);
    }

    /** A new account signed by the operator (with {@code edit} applied to its claims), known to the resolver. */
    public NKey addAccount(String name, UnaryOperator<JwtKit.Claims> edit) {
        NKey k = accountKey();
        accounts.put(pub(k), edit.apply(account(k, name)).sign(operator));
        return k;
    }

    public NKey addAccount(String name) {
        return addAccount(name, UnaryOperator.identity());
    }

    /** Re-signs an account's claims (an update); the resolver's copy is replaced too. */
    public String resign(NKey account, String name, UnaryOperator<JwtKit.Claims> edit) {
        String jwt = edit.apply(account(account, name)).sign(operator);
        accounts.put(pub(account), jwt);
        return jwt;
    }

    /** Config text: the operator JWT inline, the system account and a memory resolver preloaded with every account. */
    public String memoryConfig() {
        StringBuilder sb = new StringBuilder();
        sb.append("operator: \"").append(operatorJwt).append("\"\n");
        sb.append("system_account: ").append(pub(system)).append('\n');
        sb.append("resolver: MEMORY\n");
        sb.append(preload());
        return sb.toString();
    }

    /**
     * Config text with a full directory resolver in {@code jwtDir}; the accounts are preloaded
     * unless {@code preload} is false (then the test writes the files itself).
     */
    public String fullConfig(Path jwtDir, boolean preload, String extra) throws IOException {
        Path opFile = dir.resolve("operator.jwt");
        Files.writeString(opFile, operatorJwt);
        StringBuilder sb = new StringBuilder();
        sb.append("operator: \"").append(opFile).append("\"\n");
        sb.append("system_account: ").append(pub(system)).append('\n');
        sb.append("resolver: { type: full, dir: \"").append(jwtDir).append("\"").append(extra == null ? "" : ", " + extra)
                .append(" }\n");
        if (preload) sb.append(preload());
        return sb.toString();
    }

    private String preload() {
        StringBuilder sb = new StringBuilder("resolver_preload: {\n");
        for (Map.Entry<String, String> e : accounts.entrySet()) {
            sb.append("  ").append(e.getKey()).append(": \"").append(e.getValue()).append("\"\n");
        }
        return sb.append("}\n").toString();
    }

    /** A user of {@code account} with a fresh key: its JWT (claims edited by {@code edit}) signed by {@code signer}. */
    public User user(NKey signer, UnaryOperator<JwtKit.Claims> edit) throws IOException {
        NKey key = userKey();
        String jwt = edit.apply(JwtKit.user(key, "user" + (++users))).sign(signer);
        return new User(key, jwt, JwtKit.writeCreds(dir, "user" + users, jwt, key));
    }

    public User user(NKey account) throws IOException {
        return user(account, UnaryOperator.identity());
    }

    /** A user's key, JWT and {@code .creds} file. */
    public record User(NKey key, String jwt, Path creds) {
        public String pub() {
            return JwtKit.pub(key);
        }

        /** Connects with the official client, authenticating with the {@code .creds} file. */
        public Connection connect(TestServer s) throws IOException, InterruptedException {
            return Nats.connect(new Options.Builder().server(s.url()).authHandler(Nats.credentials(creds.toString()))
                    .maxReconnects(0).build());
        }

        /** The CONNECT line a client sends, the server's nonce signed (or {@code sig} as given when not null). */
        public String connectLine(RawClient c, String sig) {
            String nonce = c.info().replaceAll(".*\"nonce\":\"([^\"]*)\".*", "$1");
            String s = sig != null ? sig : JwtKit.signNonce(key, nonce);
            return "CONNECT {\"verbose\":false,\"pedantic\":false,\"jwt\":\"" + jwt + "\""
                    + (s.isEmpty() ? "" : ",\"sig\":\"" + s + "\"") + "}\r\n";
        }

        /** What a raw client gets back for CONNECT (and {@code then}), up to PONG. */
        public String rawConnect(TestServer s, String then) throws IOException {
            try (RawClient c = s.raw()) {
                return c.untilPong(connectLine(c, null) + (then == null ? "" : then));
            }
        }
    }

    /** The system account's user (for claim requests). */
    public User systemUser() throws IOException {
        return user(system);
    }
}

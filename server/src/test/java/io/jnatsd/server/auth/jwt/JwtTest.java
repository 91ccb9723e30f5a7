package io.jnatsd.server.auth.jwt;

import static io.jnatsd.server.testing.JwtKit.pub;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.server.auth.Permissions;
import io.jnatsd.server.testing.JwtKit;
import io.nats.client.NKey;
import io.nats.client.support.JwtUtils;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Decoding and verifying NATS JWTs, and reading their claims as upstream's jwt library does. */
class JwtTest {
    private final NKey operator = JwtKit.operatorKey();
    private final NKey account = JwtKit.accountKey();
    private final NKey user = JwtKit.userKey();

    @Test
    void aSignedJwtDecodesWithItsClaims() throws Exception {
        String token = JwtKit.user(user, "bob").claim("exp", 2_000_000_000L).sign(account);
        Jwt jwt = Jwt.decode(token);
        assertEquals(pub(account), jwt.issuer());
        assertEquals(pub(user), jwt.subject());
        assertEquals("bob", jwt.name());
        assertEquals("user", jwt.type());
        assertEquals(2, jwt.version());
        assertEquals(2_000_000_000L, jwt.expires());
        assertFalse(jwt.id().isEmpty());
    }

    @Test
    void tamperedOrMalformedTokensAreRefused() {
        String token = JwtKit.user(user, "bob").sign(account);
        String[] parts = token.split("\\.");
        String otherClaims = JwtKit.user(user, "eve").sign(account).split("\\.")[1];
        assertThrows(JwtException.class, () -> Jwt.decode(parts[0] + "." + otherClaims + "." + parts[2]));
        assertThrows(JwtException.class, () -> Jwt.decode(parts[0] + "." + parts[1]));
        assertThrows(JwtException.class, () -> Jwt.decode(token + ".x"));
        String hs256 = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"typ\":\"JWT\",\"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8));
        JwtException alg = assertThrows(JwtException.class, () -> Jwt.decode(hs256 + "." + parts[1] + "." + parts[2]));
        assertEquals("unexpected \"HS256\" algorithm", alg.getMessage());
        assertThrows(JwtException.class, () -> Jwt.decode(parts[0] + "." + parts[1] + "." + parts[2] + "="));
    }

    @Test
    void claimsMustBeSignedByTheRightKindOfKey() {
        assertThrows(JwtException.class, () -> UserClaims.decode(JwtKit.user(user, "u").sign(operator)), "users are signed by accounts");
        assertThrows(JwtException.class, () -> AccountClaims.decode(JwtKit.account(account, "a").sign(user)));
        assertThrows(JwtException.class, () -> OperatorClaims.decode(JwtKit.operator(operator, "o").sign(account)));
        assertThrows(JwtException.class, () -> AccountClaims.decode(JwtKit.user(user, "u").sign(account)), "wrong type");
    }

    @Test
    void accountClaimsAreReadAsGoReadsThem() throws Exception {
        NKey sk = JwtKit.accountKey();
        AccountClaims c = AccountClaims.decode(JwtKit.account(account, "A")
                .nats("limits", Map.of("subs", 5))
                .nats("signing_keys", List.of(pub(sk)))
                .nats("revocations", Map.of(pub(user), 100L, "*", 50L))
                .nats("exports", List.of(Map.of("subject", "svc", "type", "service", "response_type", "Stream",
                        "response_threshold", 5_000_000_000L)))
                .sign(operator));
        assertEquals(5, c.limits().subs());
        assertEquals(0, c.limits().conn(), "an absent limit is 0, which allows nothing");
        assertTrue(c.hasIssuer(pub(account)) && c.hasIssuer(pub(sk)));
        assertNull(c.signingKeys().get(pub(sk)));
        assertTrue(c.isRevoked(pub(user), 100));
        assertFalse(c.isRevoked(pub(user), 101));
        assertTrue(c.isRevoked(pub(JwtKit.userKey()), 50), "'*' revokes everyone issued at or before it");
        AccountClaims.Export e = c.exports().get(0);
        assertTrue(e.service());
        assertEquals("Stream", e.responseType());
        assertEquals(Duration.ofSeconds(5), e.responseThreshold());
    }

    @Test
    void userPermissionsAsUpstreamBuildsThem() throws Exception {
        UserClaims u = UserClaims.decode(JwtKit.user(user, "u")
                .nats("pub", Map.of("deny", List.of("x")))
                .nats("resp", Map.of("max", 0, "ttl", 0)).sign(account));
        Permissions p = u.grant().permissions();
        assertEquals(List.of(), p.publish().allow(), "allow_responses turns off the blanket publish allowance");
        assertEquals(List.of("x"), p.publish().deny());
        assertNull(p.subscribe().allow());
        assertEquals(1, p.response().maxMsgs());
        assertEquals(Duration.ofMinutes(2), p.response().expires());
        assertNull(UserClaims.decode(JwtKit.user(user, "u").sign(account)).grant().permissions());
    }

    @Test
    void jwtsIssuedByTheJavaClientsUtilitiesAreRead() throws Exception {
        String token = JwtUtils.issueUserJWT(account, pub(account), pub(user), "from-jnats", Duration.ofMinutes(5), "tag1");
        UserClaims u = UserClaims.decode(token);
        assertEquals(pub(user), u.subject());
        assertEquals(pub(account), u.account());
        assertEquals("from-jnats", u.jwt().name());
        assertTrue(u.jwt().expires() > Jwt.now());
    }

    @Test
    void decoratedOperatorFilesAreUnwrapped() {
        String jwt = JwtKit.operator(operator, "o").sign(operator);
        String decorated = "-----BEGIN NATS OPERATOR JWT-----\n" + jwt + "\n------END NATS OPERATOR JWT------\n";
        assertEquals(jwt, OperatorConfig.undecorate(decorated));
        assertEquals(jwt, OperatorConfig.undecorate("  " + jwt + "\n"));
    }

    @Test
    void cidrs() throws Exception {
        assertTrue(Cidr.parse("127.0.0.0/8").contains(java.net.InetAddress.getByName("127.1.2.3")));
        assertFalse(Cidr.parse("10.0.0.0/8").contains(java.net.InetAddress.getByName("127.0.0.1")));
        assertTrue(Cidr.parse("::1/128").contains(java.net.InetAddress.getByName("::1")));
        assertNull(Cidr.parse("example.com/8"));
        assertNull(Cidr.parse("10.0.0.0"));
    }
}

package io.jnatsd.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SecretsTest {
    @Test
    void passwordsTokensAndSignaturesAreRedacted() {
        assertEquals("{\"verbose\":false,\"user\":\"alice\",\"pass\":\"[REDACTED]\"}",
                Secrets.redactConnect("{\"verbose\":false,\"user\":\"alice\",\"pass\":\"s3cret\"}"));
        assertEquals("{\"auth_token\":\"[REDACTED]\",\"name\":\"x\"}",
                Secrets.redactConnect("{\"auth_token\":\"t0k\",\"name\":\"x\"}"));
        assertEquals("{\"nkey\":\"UABC\",\"sig\":\"[REDACTED]\"}", Secrets.redactConnect("{\"nkey\":\"UABC\",\"sig\":\"xyz\"}"));
        assertEquals("{\"verbose\":true}", Secrets.redactConnect("{\"verbose\":true}"));
    }
}

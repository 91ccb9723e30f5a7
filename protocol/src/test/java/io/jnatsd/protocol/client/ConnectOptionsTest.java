package io.jnatsd.protocol.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ConnectOptionsTest {
    private static ConnectOptions parse(String json) throws IOException {
        return ConnectOptions.parse(io.netty.buffer.Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void everyFieldIsRead() throws IOException {
        ConnectOptions o = parse("{\"verbose\":false,\"pedantic\":false,\"echo\":false,\"headers\":true,"
                + "\"no_responders\":true,\"tls_required\":true,\"protocol\":1,\"name\":\"n\",\"lang\":\"java\","
                + "\"version\":\"2.25.1\",\"user\":\"u\",\"pass\":\"p\",\"auth_token\":\"t\",\"nkey\":\"UK\","
                + "\"sig\":\"s\",\"jwt\":\"j\",\"account\":\"A\",\"new_account\":true}");
        assertFalse(o.verbose);
        assertFalse(o.pedantic);
        assertFalse(o.echo);
        assertTrue(o.headers);
        assertTrue(o.noResponders);
        assertTrue(o.tlsRequired);
        assertEquals(1, o.protocol);
        assertEquals("n", o.name);
        assertEquals("java", o.lang);
        assertEquals("2.25.1", o.version);
        assertEquals("u", o.user);
        assertEquals("p", o.pass);
        assertEquals("t", o.authToken);
        assertEquals("UK", o.nkey);
        assertEquals("s", o.sig);
        assertEquals("j", o.jwt);
        assertEquals("A", o.account);
        assertEquals(Boolean.TRUE, o.newAccount);
    }

    @Test
    void omittedAndNullFieldsKeepUpstreamsDefaults() throws IOException {
        for (String json : new String[] {"{}", "{\"verbose\":null,\"pedantic\":null,\"echo\":null,\"protocol\":null,"
                + "\"name\":null,\"new_account\":null}"}) {
            ConnectOptions o = parse(json);
            assertTrue(o.verbose, json);
            assertTrue(o.pedantic, json);
            assertTrue(o.echo, json);
            assertFalse(o.headers, json);
            assertEquals(0, o.protocol, json);
            assertNull(o.name, json);
            assertNull(o.newAccount, json);
        }
    }

    @Test
    void namesMatchCaseInsensitivelyAsInGo() throws IOException {
        ConnectOptions o = parse("{\"Verbose\":false,\"NO_RESPONDERS\":true,\"User\":\"u\"}");
        assertFalse(o.verbose);
        assertTrue(o.noResponders);
        assertEquals("u", o.user);
    }

    @Test
    void unknownFieldsAreSkippedHoweverNested() throws IOException {
        ConnectOptions o = parse("{\"x\":{\"verbose\":true,\"y\":[1,{\"z\":null}]},\"verbose\":false,\"w\":[\"a\"]}");
        assertFalse(o.verbose);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"verbose\":\"yes\"}", "{\"verbose\":1}", "{\"user\":5}", "{\"user\":true}", "{\"user\":[\"alice\"]}",
        "{\"name\":{}}", "{\"protocol\":1.5}", "{\"protocol\":\"1\"}", "{\"protocol\":99999999999}",
        "{\"new_account\":\"true\"}"})
    void aValueOfTheWrongTypeFailsTheWholeConnect(String json) {
        assertThrows(IOException.class, () -> parse(json));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "null", "[]", "5", "\"s\"", "{bad}", "{\"user\":\"alice\",\"pass\":", "{\"x\":[1,}"})
    void notAJsonObjectFails(String json) {
        assertThrows(IOException.class, () -> parse(json));
    }
}

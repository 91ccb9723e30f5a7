package io.jnatsd.server.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnatsd.protocol.mqtt.MqttProtocolException;
import io.jnatsd.protocol.mqtt.MqttTopics;
import org.junit.jupiter.api.Test;

/** Topic and subject conversion by upstream's rules, both ways (the live interop is in {@link MqttTest}). */
class MqttTopicsTest {
    private static void both(String topic, String subject) throws MqttProtocolException {
        assertEquals(subject, MqttTopics.topicToSubject(topic), topic);
        assertEquals(topic, MqttTopics.subjectToTopic(subject), subject);
    }

    @Test
    void levelsAndEmptyLevels() throws Exception {
        both("foo", "foo");
        both("foo/bar", "foo.bar");
        both("/foo", "/.foo");
        both("foo/", "foo./");
        both("foo//bar", "foo./.bar");
        both("/foo/", "/.foo./");
        both("/", "/./");
        both("//", "/././");
        both("a///b", "a././.b");
    }

    @Test
    void wildcardsOnlyInFilters() throws Exception {
        assertEquals("foo.*.bar", MqttTopics.filterToSubject("foo/+/bar"));
        assertEquals("foo.>", MqttTopics.filterToSubject("foo/#"));
        assertEquals(">", MqttTopics.filterToSubject("#"));
        assertEquals("/.*", MqttTopics.filterToSubject("/+"));
        assertThrows(MqttProtocolException.class, () -> MqttTopics.topicToSubject("foo/+"));
        assertThrows(MqttProtocolException.class, () -> MqttTopics.topicToSubject("foo/#"));
    }

    @Test
    void dotsAndSpacesCannotBeCarried() {
        assertThrows(MqttProtocolException.class, () -> MqttTopics.topicToSubject("foo.bar"));
        assertThrows(MqttProtocolException.class, () -> MqttTopics.topicToSubject("foo bar"));
        assertThrows(MqttProtocolException.class, () -> MqttTopics.filterToSubject("a/b.c/#"));
    }

    @Test
    void parentLevelForMultiLevelWildcard() {
        assertTrue(MqttTopics.needsParentLevel("foo.>"));
        assertFalse(MqttTopics.needsParentLevel(">"));
        assertFalse(MqttTopics.needsParentLevel("foo.*"));
    }
}

package io.jnatsd.protocol.mqtt;

/**
 * MQTT topics and NATS subjects, both ways, by upstream's rules (so that MQTT and NATS clients of either server
 * meet on the same subjects): {@code /} is {@code .}, {@code +} is {@code *}, {@code #} is {@code >}. An empty
 * level cannot be an empty NATS token, so a {@code /} that starts the topic, ends it or follows another {@code /}
 * keeps itself beside the separator: {@code /a} is {@code /.a}, {@code a/} is {@code a./}, {@code a//b} is
 * {@code a./.b}. {@code .} and space cannot be carried and are refused.
 */
public final class MqttTopics {
    private MqttTopics() {}

    /** A PUBLISH topic (no wildcards) as a NATS subject. */
    public static String topicToSubject(String topic) throws MqttProtocolException {
        return toSubject(topic, false);
    }

    /** A SUBSCRIBE filter as a NATS subject (wildcards converted). */
    public static String filterToSubject(String filter) throws MqttProtocolException {
        return toSubject(filter, true);
    }

    private static String toSubject(String mt, boolean wildcards) throws MqttProtocolException {
        StringBuilder out = new StringBuilder(mt.length() + 4);
        int end = mt.length() - 1;
        for (int i = 0; i < mt.length(); i++) {
            char ch = mt.charAt(i);
            switch (ch) {
                case '/' -> {
                    boolean afterSeparator = !out.isEmpty() && out.charAt(out.length() - 1) == '.';
                    if (i == 0 || afterSeparator) out.append("/.");
                    else if (i == end || mt.charAt(i + 1) == '/') out.append("./");
                    else out.append('.');
                }
                case '.', ' ' -> throw new MqttProtocolException("characters ' ' and '.' not supported for MQTT topics");
                case '+', '#' -> {
                    if (!wildcards) throw new MqttProtocolException("wildcards not allowed in publish's topic: \"" + mt + "\"");
                    out.append(ch == '+' ? '*' : '>');
                }
                default -> out.append(ch);
            }
        }
        if (!out.isEmpty() && out.charAt(out.length() - 1) == '.') out.append('/');
        return out.toString();
    }

    /** A NATS subject as the topic MQTT subscribers are shown (the reverse of {@link #topicToSubject}). */
    public static String subjectToTopic(String subject) {
        StringBuilder out = new StringBuilder(subject.length());
        int end = subject.length() - 1;
        for (int i = 0; i < subject.length(); i++) {
            char ch = subject.charAt(i);
            if (ch == '/') {
                if (!(i == 0 && i < end && subject.charAt(i + 1) == '.')) out.append('/');
            } else if (ch == '.') {
                out.append('/');
                if (i < end && subject.charAt(i + 1) == '/') i++;
            } else {
                out.append(ch);
            }
        }
        return out.toString();
    }

    /**
     * Whether a filter ending in {@code .>} needs a second subscription on its parent level: MQTT's {@code a/#}
     * also matches {@code a}, NATS's {@code a.>} does not.
     */
    public static boolean needsParentLevel(String subject) {
        return subject.length() >= 3 && subject.endsWith(".>");
    }
}

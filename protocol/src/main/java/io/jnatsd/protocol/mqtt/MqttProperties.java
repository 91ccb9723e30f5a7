package io.jnatsd.protocol.mqtt;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The properties of an MQTT 5 packet (MQTT 5 section 2.2.2): each known identifier with its value (Integer for
 * byte, two-byte, four-byte and variable integers, String for UTF-8 strings, byte[] for binary data), the user
 * properties in order, and the subscription identifiers. One table says each identifier's type and the packets
 * that may carry it, so reading checks what the specification calls malformed or a protocol error in one place.
 */
public final class MqttProperties {
    public static final int PAYLOAD_FORMAT = 0x01;
    public static final int MESSAGE_EXPIRY = 0x02;
    public static final int CONTENT_TYPE = 0x03;
    public static final int RESPONSE_TOPIC = 0x08;
    public static final int CORRELATION_DATA = 0x09;
    public static final int SUBSCRIPTION_ID = 0x0B;
    public static final int SESSION_EXPIRY = 0x11;
    public static final int ASSIGNED_CLIENT_ID = 0x12;
    public static final int SERVER_KEEP_ALIVE = 0x13;
    public static final int AUTH_METHOD = 0x15;
    public static final int AUTH_DATA = 0x16;
    public static final int REQUEST_PROBLEM_INFO = 0x17;
    public static final int WILL_DELAY = 0x18;
    public static final int REQUEST_RESPONSE_INFO = 0x19;
    public static final int RESPONSE_INFO = 0x1A;
    public static final int SERVER_REFERENCE = 0x1C;
    public static final int REASON_STRING = 0x1F;
    public static final int RECEIVE_MAXIMUM = 0x21;
    public static final int TOPIC_ALIAS_MAXIMUM = 0x22;
    public static final int TOPIC_ALIAS = 0x23;
    public static final int MAXIMUM_QOS = 0x24;
    public static final int RETAIN_AVAILABLE = 0x25;
    public static final int USER_PROPERTY = 0x26;
    public static final int MAXIMUM_PACKET_SIZE = 0x27;
    public static final int WILDCARD_SUB_AVAILABLE = 0x28;
    public static final int SUB_ID_AVAILABLE = 0x29;
    public static final int SHARED_SUB_AVAILABLE = 0x2A;

    /** Where a property may appear: a bit per packet type, bit 0 standing for a will's properties. */
    public static final int WILL = 0;

    public static final MqttProperties NONE = new MqttProperties();

    private enum Kind { BYTE, TWO, FOUR, VAR, STRING, BINARY, PAIR }

    private record Def(Kind kind, int where) {}

    private static final Def[] DEFS = new Def[0x2B];

    private static void def(int id, Kind kind, int... where) {
        int bits = 0;
        for (int w : where) bits |= 1 << w;
        DEFS[id] = new Def(kind, bits);
    }

    static {
        int p = MqttPacket.PUBLISH;
        def(PAYLOAD_FORMAT, Kind.BYTE, p, WILL);
        def(MESSAGE_EXPIRY, Kind.FOUR, p, WILL);
        def(CONTENT_TYPE, Kind.STRING, p, WILL);
        def(RESPONSE_TOPIC, Kind.STRING, p, WILL);
        def(CORRELATION_DATA, Kind.BINARY, p, WILL);
        def(SUBSCRIPTION_ID, Kind.VAR, p, MqttPacket.SUBSCRIBE);
        def(SESSION_EXPIRY, Kind.FOUR, MqttPacket.CONNECT, MqttPacket.CONNACK, MqttPacket.DISCONNECT);
        def(ASSIGNED_CLIENT_ID, Kind.STRING, MqttPacket.CONNACK);
        def(SERVER_KEEP_ALIVE, Kind.TWO, MqttPacket.CONNACK);
        def(AUTH_METHOD, Kind.STRING, MqttPacket.CONNECT, MqttPacket.CONNACK, MqttPacket.AUTH);
        def(AUTH_DATA, Kind.BINARY, MqttPacket.CONNECT, MqttPacket.CONNACK, MqttPacket.AUTH);
        def(REQUEST_PROBLEM_INFO, Kind.BYTE, MqttPacket.CONNECT);
        def(WILL_DELAY, Kind.FOUR, WILL);
        def(REQUEST_RESPONSE_INFO, Kind.BYTE, MqttPacket.CONNECT);
        def(RESPONSE_INFO, Kind.STRING, MqttPacket.CONNACK);
        def(SERVER_REFERENCE, Kind.STRING, MqttPacket.CONNACK, MqttPacket.DISCONNECT);
        def(REASON_STRING, Kind.STRING, MqttPacket.CONNACK, MqttPacket.PUBACK, MqttPacket.PUBREC, MqttPacket.PUBREL,
                MqttPacket.PUBCOMP, MqttPacket.SUBACK, MqttPacket.UNSUBACK, MqttPacket.DISCONNECT, MqttPacket.AUTH);
        def(RECEIVE_MAXIMUM, Kind.TWO, MqttPacket.CONNECT, MqttPacket.CONNACK);
        def(TOPIC_ALIAS_MAXIMUM, Kind.TWO, MqttPacket.CONNECT, MqttPacket.CONNACK);
        def(TOPIC_ALIAS, Kind.TWO, p);
        def(MAXIMUM_QOS, Kind.BYTE, MqttPacket.CONNACK);
        def(RETAIN_AVAILABLE, Kind.BYTE, MqttPacket.CONNACK);
        int all = 0;
        for (int t = MqttPacket.CONNECT; t <= MqttPacket.AUTH; t++) all |= 1 << t;
        DEFS[USER_PROPERTY] = new Def(Kind.PAIR, all | 1);
        def(MAXIMUM_PACKET_SIZE, Kind.FOUR, MqttPacket.CONNECT, MqttPacket.CONNACK);
        def(WILDCARD_SUB_AVAILABLE, Kind.BYTE, MqttPacket.CONNACK);
        def(SUB_ID_AVAILABLE, Kind.BYTE, MqttPacket.CONNACK);
        def(SHARED_SUB_AVAILABLE, Kind.BYTE, MqttPacket.CONNACK);
    }

    private final Map<Integer, Object> values = new TreeMap<>();
    private final List<String[]> user = new ArrayList<>(0);
    private final List<Integer> subscriptionIds = new ArrayList<>(0);

    public MqttProperties() {}

    public boolean isEmpty() {
        return values.isEmpty() && user.isEmpty() && subscriptionIds.isEmpty();
    }

    public boolean has(int id) {
        return values.containsKey(id);
    }

    /** An integer property, or {@code otherwise}. */
    public long number(int id, long otherwise) {
        Object v = values.get(id);
        return v instanceof Integer i ? Integer.toUnsignedLong(i) : otherwise;
    }

    public String string(int id) {
        return values.get(id) instanceof String s ? s : null;
    }

    public byte[] binary(int id) {
        return values.get(id) instanceof byte[] b ? b : null;
    }

    /** User properties as name/value pairs, in the order sent. */
    public List<String[]> userProperties() {
        return user;
    }

    public List<Integer> subscriptionIds() {
        return subscriptionIds;
    }

    public MqttProperties put(int id, Object value) {
        if (id == SUBSCRIPTION_ID) subscriptionIds.add((Integer) value);
        else values.put(id, value);
        return this;
    }

    public MqttProperties addUser(String name, String value) {
        user.add(new String[] {name, value});
        return this;
    }

    // ---- reading ----

    /** Reads the property length and the properties of a packet of {@code where} (a packet type, or {@link #WILL}). */
    public static MqttProperties read(ByteBuf in, int where) throws MqttProtocolException {
        int length = MqttPacketReader.varInt(in, "property length");
        if (length > in.readableBytes()) throw MqttProtocolException.malformed("property length exceeds the packet");
        ByteBuf props = in.readSlice(length);
        MqttProperties out = new MqttProperties();
        while (props.isReadable()) {
            int id = MqttPacketReader.varInt(props, "property identifier");
            Def d = id < DEFS.length ? DEFS[id] : null;
            if (d == null || (d.where & (1 << where)) == 0) {
                throw MqttProtocolException.malformed("property 0x" + Integer.toHexString(id) + " not allowed here");
            }
            Object value = switch (d.kind) {
                case BYTE -> MqttPacketReader.u8(props, "property");
                case TWO -> MqttPacketReader.u16(props, "property");
                case FOUR -> {
                    if (props.readableBytes() < 4) throw MqttProtocolException.malformed("error reading property");
                    yield props.readInt();
                }
                case VAR -> MqttPacketReader.varInt(props, "property");
                case STRING -> MqttPacketReader.string(props, "property", 0);
                case BINARY -> MqttPacketReader.bytes(props, "property");
                case PAIR -> new String[] {MqttPacketReader.string(props, "property", 0),
                        MqttPacketReader.string(props, "property", 0)};
            };
            if (id == USER_PROPERTY) {
                out.user.add((String[]) value);
            } else if (id == SUBSCRIPTION_ID && where == MqttPacket.PUBLISH) {
                out.subscriptionIds.add((Integer) value);
            } else if (out.values.containsKey(id) || id == SUBSCRIPTION_ID && !out.subscriptionIds.isEmpty()) {
                throw MqttProtocolException.protocolError("property 0x" + Integer.toHexString(id) + " included twice");
            } else {
                out.check(id, (Integer) (value instanceof Integer i ? i : null));
                out.put(id, value);
            }
        }
        return out;
    }

    /** Values the specification calls a protocol error (section 3.1.2.11 and following). */
    private void check(int id, Integer v) throws MqttProtocolException {
        if (v == null) return;
        boolean bad = switch (id) {
            case PAYLOAD_FORMAT, REQUEST_PROBLEM_INFO, REQUEST_RESPONSE_INFO -> v > 1;
            case RECEIVE_MAXIMUM, MAXIMUM_PACKET_SIZE, SUBSCRIPTION_ID -> v == 0;
            default -> false;
        };
        if (bad) throw MqttProtocolException.protocolError("property 0x" + Integer.toHexString(id) + " has value " + v);
    }

    // ---- writing ----

    /** The bytes {@link #write} writes, property length included. */
    public int size() {
        int body = bodySize();
        return MqttPacketWriter.varIntSize(body) + body;
    }

    private int bodySize() {
        int n = 0;
        for (Map.Entry<Integer, Object> e : values.entrySet()) n += 1 + valueSize(DEFS[e.getKey()].kind, e.getValue());
        for (String[] p : user) n += 1 + 4 + utf8Length(p[0]) + utf8Length(p[1]);
        for (int id : subscriptionIds) n += 1 + MqttPacketWriter.varIntSize(id);
        return n;
    }

    public void write(ByteBuf out) {
        MqttPacketWriter.writeVarInt(out, bodySize());
        for (Map.Entry<Integer, Object> e : values.entrySet()) {
            out.writeByte(e.getKey());
            Object v = e.getValue();
            switch (DEFS[e.getKey()].kind) {
                case BYTE -> out.writeByte((Integer) v);
                case TWO -> out.writeShort((Integer) v);
                case FOUR -> out.writeInt((Integer) v);
                case VAR -> MqttPacketWriter.writeVarInt(out, (Integer) v);
                case STRING -> writeString(out, (String) v);
                case BINARY -> {
                    out.writeShort(((byte[]) v).length);
                    out.writeBytes((byte[]) v);
                }
                case PAIR -> throw new IllegalStateException();
            }
        }
        for (String[] p : user) {
            out.writeByte(USER_PROPERTY);
            writeString(out, p[0]);
            writeString(out, p[1]);
        }
        for (int id : subscriptionIds) {
            out.writeByte(SUBSCRIPTION_ID);
            MqttPacketWriter.writeVarInt(out, id);
        }
    }

    private static int valueSize(Kind k, Object v) {
        return switch (k) {
            case BYTE -> 1;
            case TWO -> 2;
            case FOUR -> 4;
            case VAR -> MqttPacketWriter.varIntSize((Integer) v);
            case STRING -> 2 + utf8Length((String) v);
            case BINARY -> 2 + ((byte[]) v).length;
            case PAIR -> throw new IllegalStateException();
        };
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static void writeString(ByteBuf out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeShort(b.length);
        out.writeBytes(b);
    }
}

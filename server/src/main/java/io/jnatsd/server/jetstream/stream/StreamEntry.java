package io.jnatsd.server.jetstream.stream;

import io.jnatsd.conf.GoDuration;
import io.jnatsd.protocol.client.InboundMessage;
import io.jnatsd.server.jetstream.common.EntryBytes;
import io.jnatsd.server.jetstream.common.EntryLog;
import io.jnatsd.server.jetstream.common.Headers;
import io.jnatsd.server.jetstream.common.JsHeaders;
import io.jnatsd.store.StoredMessage;
import java.nio.ByteBuffer;

/**
 * One message on its way into a stream, and once its leader has decided to take it, the entry
 * every replica applies ({@link Stream#apply}): subject (after the ingest transform), headers,
 * payload, the leader's timestamp, the per-message TTL and rollup as decided, the message id
 * for the duplicate window, and for a mirror the origin's sequence. {@code reply} (where the
 * leader sends the ack) and {@code expected} (the headers' expectations, checked by the leader)
 * stay with the leader; a replicated log does not carry them.
 *
 * <p>A published message becomes its entry when it arrives, in place of the copy the queue held
 * before: deciding adds nothing to it, it only accepts or refuses it, so the publish path
 * allocates no more than it did.
 *
 * @param rollup {@code "sub"} or {@code "all"} when the message rolls up its subject or the stream; else null
 * @param seq    0: the next sequence; above 0, the origin's sequence of a mirrored message
 */
public record StreamEntry(Kind kind, String subject, byte[] headers, byte[] payload, long timestampNanos, long ttlNanos,
                          String msgId, String rollup, long seq, String reply, JsHeaders expected) {
    /** Where the message came from, which decides what the leader checks. */
    public enum Kind {
        /** Published by a client: every check. */
        PUBLISHED,
        /** Taken from a source: its expectations were stripped, its dedupe comes after rollup and TTL. */
        SOURCED,
        /** Copied from the mirror's origin under the origin's sequence and time: only the account's limits. */
        MIRRORED,
        /**
         * A subject delete marker (2.11) the stream writes itself once max_age or a TTL took the
         * last message of a subject: taken only while the subject is still empty.
         */
        MARKER,
        /** A due message schedule's copy (2.12), published by the stream itself: checked as a sourced message is. */
        SCHEDULED,
        /** A purge: {@code subject} the filter (null: all), {@code seq} below which, {@code ttlNanos} how many to keep. */
        PURGE,
        /** One message removed: {@code seq}; {@code ttlNanos} 1 when overwritten (erase). */
        REMOVE,
        /** A durable consumer created or changed on the leader: {@code subject} its name, {@code payload} its config file. */
        CONSUMER_CONFIG,
        /** A durable consumer's state on the leader: {@code subject} its name, {@code payload} the encoded state. */
        CONSUMER_STATE,
        /** A durable consumer deleted on the leader: {@code subject} its name. */
        CONSUMER_DELETE
    }

    /** What the leader's consumers did, for the replicas' copies of them. */
    static StreamEntry consumer(Kind kind, String name, byte[] body) {
        return new StreamEntry(kind, name, null, body == null ? EMPTY : body, 0, 0, null, null, 0, null, JsHeaders.NONE);
    }

    static StreamEntry purge(String filter, long seq, long keep) {
        return new StreamEntry(Kind.PURGE, filter, null, EMPTY, 0, keep, null, null, seq, null, JsHeaders.NONE);
    }

    static StreamEntry remove(long seq, boolean erase) {
        return new StreamEntry(Kind.REMOVE, null, null, EMPTY, 0, erase ? 1 : 0, null, null, seq, null, JsHeaders.NONE);
    }

    /** A purge's count of messages to keep. */
    long keep() {
        return ttlNanos;
    }

    /** A removal that overwrites the message. */
    boolean erase() {
        return ttlNanos == 1;
    }

    private static final byte[] EMPTY = new byte[0];

    /** A message published on {@code subject} (already transformed), copied out of the publisher's buffer. */
    static StreamEntry published(String subject, InboundMessage msg, long nowNanos) {
        byte[] headers = null;
        if (msg.hasHeaders()) {
            headers = new byte[msg.headerLength()];
            msg.headers().getBytes(0, headers);
        }
        byte[] payload = msg.payloadLength() == 0 ? EMPTY : new byte[msg.payloadLength()];
        if (payload.length > 0) msg.payload().getBytes(0, payload);
        return published(subject, headers, payload, msg.reply(), nowNanos);
    }

    static StreamEntry published(String subject, byte[] headers, byte[] payload, String reply, long nowNanos) {
        JsHeaders h = JsHeaders.parse(headers);
        long ttl = h.ttl() == null ? 0 : MessageTtl.parseNanos(h.ttl());
        return new StreamEntry(Kind.PUBLISHED, subject, headers, payload, nowNanos, ttl, h.msgId(), h.rollup(), 0, reply, h);
    }

    /**
     * A message of a source, its headers already rewritten for this stream; the source's rollup
     * and TTL apply only when this stream allows them.
     */
    static StreamEntry sourced(String subject, byte[] headers, byte[] payload, StreamConfig c, long nowNanos) {
        JsHeaders h = JsHeaders.parse(headers);
        String rollup = c.allowRollupHdrs ? h.rollup() : null;
        long ttl = h.ttl() == null || !c.allowMsgTtl ? 0 : MessageTtl.parseNanos(h.ttl());
        return new StreamEntry(Kind.SOURCED, subject, headers, payload, nowNanos, ttl, h.msgId(), rollup, 0, null, h);
    }

    /**
     * The marker left on {@code subject}: upstream's headers ({@code Nats-Marker-Reason: MaxAge},
     * {@code Nats-TTL} as a Go duration, {@code Nats-Rollup: sub}), no payload, {@code ttlNanos} to live.
     */
    static StreamEntry marker(String subject, long ttlNanos, long nowNanos) {
        byte[] headers = Headers.build("Nats-Marker-Reason", "MaxAge",
                "Nats-TTL", GoDuration.format(ttlNanos), "Nats-Rollup", "sub");
        return new StreamEntry(Kind.MARKER, subject, headers, EMPTY, nowNanos, ttlNanos, null, "sub", 0, null, JsHeaders.NONE);
    }

    /** A due schedule's copy on {@code target}; its roll-up and TTL headers apply. */
    static StreamEntry scheduled(String target, byte[] headers, byte[] payload, long nowNanos) {
        JsHeaders h = JsHeaders.parse(headers);
        long ttl = h.ttl() == null ? 0 : MessageTtl.parseNanos(h.ttl());
        return new StreamEntry(Kind.SCHEDULED, target, headers, payload, nowNanos, ttl, null, h.rollup(), 0, null, h);
    }

    /** This entry with other headers and roll-up (a schedule rolls up its subject). */
    StreamEntry withHeadersAndRollup(byte[] newHeaders, String newRollup) {
        return new StreamEntry(kind, subject, newHeaders, payload, timestampNanos, ttlNanos, msgId, newRollup, seq, reply, expected);
    }

    /** This entry with other headers and TTL (what the leader decided to store instead). */
    StreamEntry withHeadersAndTtl(byte[] newHeaders, long newTtlNanos) {
        return new StreamEntry(kind, subject, newHeaders, payload, timestampNanos, newTtlNanos, msgId, rollup, seq, reply, expected);
    }

    /** This entry with other headers and payload (a counter's new total, decided by the leader). */
    StreamEntry withHeadersAndPayload(byte[] newHeaders, byte[] newPayload) {
        return new StreamEntry(kind, subject, newHeaders, newPayload, timestampNanos, ttlNanos, msgId, rollup, seq, reply, expected);
    }

    static StreamEntry mirrored(StoredMessage m) {
        return new StreamEntry(Kind.MIRRORED, m.subject(), m.headers(), m.payload(), m.timestampNanos(), m.ttlNanos(),
                null, null, m.seq(), null, JsHeaders.NONE);
    }

    /** How a replicated stream's log holds entries: what {@link Stream#apply} reads, without {@code reply} and {@code expected}. */
    public static final EntryLog.Codec<StreamEntry> CODEC = new EntryLog.Codec<>() {
        @Override
        public byte[] encode(StreamEntry e) {
            return new EntryBytes(64 + e.size() + (e.subject == null ? 0 : e.subject.length()))
                    .putByte(e.kind.ordinal()).putString(e.subject).putBytes(e.headers).putBytes(e.payload)
                    .putLong(e.timestampNanos).putLong(e.ttlNanos).putString(e.msgId).putString(e.rollup).putLong(e.seq)
                    .toArray();
        }

        @Override
        public StreamEntry decode(ByteBuffer in) {
            Kind kind = Kind.values()[in.get()];
            String subject = EntryBytes.string(in);
            byte[] headers = EntryBytes.bytes(in);
            byte[] payload = EntryBytes.bytes(in);
            return new StreamEntry(kind, subject, headers, payload, in.getLong(), in.getLong(), EntryBytes.string(in),
                    EntryBytes.string(in), in.getLong(), null, JsHeaders.NONE);
        }
    };

    /** This entry stamped {@code nanos} (a replicated stream's leader stamps each message once, for every replica). */
    StreamEntry stampedAt(long nanos) {
        return new StreamEntry(kind, subject, headers, payload, nanos, ttlNanos, msgId, rollup, seq, reply, expected);
    }

    /** Header and payload bytes, as max_msg_size counts them. */
    int size() {
        return payload.length + (headers == null ? 0 : headers.length);
    }
}

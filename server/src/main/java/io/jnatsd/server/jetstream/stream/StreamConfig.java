package io.jnatsd.server.jetstream.stream;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A stream's configuration with upstream's JSON names, order and defaults (as 2.9.10 writes
 * it back in STREAM.CREATE/INFO responses). Durations are integer nanoseconds.
 */
@JsonPropertyOrder({"name", "description", "subjects", "subject_transform", "retention", "max_consumers", "max_msgs", "max_bytes",
        "max_age", "max_msgs_per_subject", "max_msg_size", "discard", "storage", "num_replicas", "no_ack",
        "duplicate_window", "placement", "mirror", "sources", "republish", "allow_direct", "mirror_direct", "sealed", "deny_delete", "deny_purge",
        "allow_rollup_hdrs", "discard_new_per_subject", "allow_msg_ttl", "subject_delete_marker_ttl", "allow_msg_counter", "allow_atomic", "allow_msg_schedules", "first_seq", "metadata"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class StreamConfig {
    public static final long DEFAULT_DUPLICATE_WINDOW_NANOS = 120_000_000_000L;

    @JsonProperty("name") public String name;
    @JsonProperty("description") @JsonInclude(JsonInclude.Include.NON_EMPTY) public String description;
    @JsonProperty("subjects") @JsonInclude(JsonInclude.Include.NON_EMPTY) public List<String> subjects = new java.util.ArrayList<>();
    @JsonProperty("retention") public String retention = "limits";
    @JsonProperty("max_consumers") public long maxConsumers = -1;
    @JsonProperty("max_msgs") public long maxMsgs = -1;
    @JsonProperty("max_bytes") public long maxBytes = -1;
    @JsonProperty("max_age") public long maxAge;
    @JsonProperty("max_msgs_per_subject") public long maxMsgsPerSubject = -1;
    @JsonProperty("max_msg_size") public long maxMsgSize = -1;
    @JsonProperty("discard") public String discard = "old";
    @JsonProperty("storage") public String storage = "file";
    @JsonProperty("num_replicas") public int numReplicas = 1;
    @JsonProperty("no_ack") @JsonInclude(JsonInclude.Include.NON_DEFAULT) public boolean noAck;
    @JsonProperty("duplicate_window") public long duplicateWindow;
    @JsonProperty("allow_direct") public boolean allowDirect;
    @JsonProperty("mirror_direct") public boolean mirrorDirect;
    @JsonProperty("sealed") public boolean sealed;
    @JsonProperty("deny_delete") public boolean denyDelete;
    @JsonProperty("deny_purge") public boolean denyPurge;
    @JsonProperty("allow_rollup_hdrs") public boolean allowRollupHdrs;
    @JsonProperty("discard_new_per_subject") @JsonInclude(JsonInclude.Include.NON_DEFAULT) public boolean discardNewPerSubject;
    @JsonProperty("allow_msg_ttl") @JsonInclude(JsonInclude.Include.NON_DEFAULT) public boolean allowMsgTtl;
    /** 2.11: nanoseconds; a marker with this TTL is left when max_age or a TTL takes a subject's last message. */
    @JsonProperty("subject_delete_marker_ttl") @JsonInclude(JsonInclude.Include.NON_DEFAULT) public long subjectDeleteMarkerTtl;
    /** 2.12: every subject is a counter, incremented by {@code Nats-Incr}. */
    @JsonProperty("allow_msg_counter") @JsonInclude(JsonInclude.Include.NON_DEFAULT) public boolean allowMsgCounter;
    /** 2.12: atomic batch publish ({@code Nats-Batch-Id}/{@code -Sequence}/{@code -Commit}). */
    @JsonProperty("allow_atomic") @JsonInclude(JsonInclude.Include.NON_DEFAULT) public boolean allowAtomic;
    /** 2.12: messages with {@code Nats-Schedule} publish copies of themselves when due. */
    @JsonProperty("allow_msg_schedules") @JsonInclude(JsonInclude.Include.NON_DEFAULT) public boolean allowMsgSchedules;
    @JsonProperty("first_seq") @JsonInclude(JsonInclude.Include.NON_DEFAULT) public long firstSeq;
    @JsonProperty("metadata") @JsonInclude(JsonInclude.Include.NON_EMPTY) public Map<String, String> metadata;

    @JsonProperty("mirror") public Source mirror;
    @JsonProperty("sources") @JsonInclude(JsonInclude.Include.NON_EMPTY) public List<Source> sources;
    @JsonProperty("republish") public RePublish republish;
    @JsonProperty("subject_transform") public Transform subjectTransform;
    @JsonProperty("placement") public Object placement;
    @JsonProperty("compression") @JsonInclude(JsonInclude.Include.NON_EMPTY) public String compression;
    @JsonProperty("consumer_limits") public Object consumerLimits;
    @JsonProperty("template_owner") @JsonInclude(JsonInclude.Include.NON_EMPTY) public String templateOwner;

    /** {@code {src, dest}}: a subject transform (stream ingest, mirror and source filters). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Transform {
        @JsonProperty("src") public String src = "";
        @JsonProperty("dest") public String dest = "";

        public Transform() {}

        public Transform(String src, String dest) {
            this.src = src;
            this.dest = dest;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Transform t && Objects.equals(src, t.src) && Objects.equals(dest, t.dest);
        }

        @Override
        public int hashCode() {
            return Objects.hash(src, dest);
        }
    }

    /** {@code republish {src, dest, headers_only}}. */
    @JsonPropertyOrder({"src", "dest", "headers_only"})
    public static final class RePublish {
        @JsonProperty("src") @JsonInclude(JsonInclude.Include.NON_EMPTY) public String src;
        @JsonProperty("dest") public String dest;
        @JsonProperty("headers_only") @JsonInclude(JsonInclude.Include.NON_DEFAULT) public boolean headersOnly;
    }

    /** {@code external {api, deliver}}: a stream reached through another JetStream API prefix. */
    @JsonPropertyOrder({"api", "deliver"})
    public static final class External {
        @JsonProperty("api") public String api;
        @JsonProperty("deliver") public String deliver;

        @Override
        public boolean equals(Object o) {
            return o instanceof External e && Objects.equals(api, e.api) && Objects.equals(deliver, e.deliver);
        }

        @Override
        public int hashCode() {
            return Objects.hash(api, deliver);
        }
    }

    /** A mirror's origin or one of the sources. */
    @JsonPropertyOrder({"name", "opt_start_seq", "opt_start_time", "filter_subject", "subject_transforms", "external"})
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Source {
        @JsonProperty("name") public String name;
        @JsonProperty("opt_start_seq") @JsonInclude(JsonInclude.Include.NON_DEFAULT) public long optStartSeq;
        @JsonProperty("opt_start_time") public String optStartTime;
        @JsonProperty("filter_subject") @JsonInclude(JsonInclude.Include.NON_EMPTY) public String filterSubject;
        @JsonProperty("subject_transforms") @JsonInclude(JsonInclude.Include.NON_EMPTY) public List<Transform> subjectTransforms;
        @JsonProperty("external") public External external;
        /** Accepted and refused: durable sourcing consumers (2.14) are not served. */
        @JsonProperty("consumer") public Object consumer;

        /**
         * Upstream's index name: origin (plus a hash of an external API prefix), filters and
         * destinations; two sources with the same one are duplicates. Also the key of the
         * {@code Nats-Stream-Source} header.
         */
        @JsonIgnore
        public String indexName() {
            String iname = name;
            if (external != null && external.api != null && !external.api.isEmpty()) {
                iname += ":" + StreamSourcing.hash(external.api);
            }
            String src;
            String dst;
            if (subjectTransforms == null || subjectTransforms.isEmpty()) {
                src = filterSubject == null || filterSubject.isEmpty() ? ">" : filterSubject;
                dst = ">";
            } else {
                StringBuilder a = new StringBuilder();
                StringBuilder b = new StringBuilder();
                for (Transform t : subjectTransforms) {
                    if (!a.isEmpty()) {
                        a.append('\f');
                        b.append('\f');
                    }
                    a.append(t.src == null || t.src.isEmpty() ? ">" : t.src);
                    b.append(t.dest == null || t.dest.isEmpty() ? ">" : t.dest);
                }
                src = a.toString();
                dst = b.toString();
            }
            return iname + " " + src + " " + dst;
        }
    }

    @JsonIgnore
    public boolean isMirror() {
        return mirror != null;
    }

    @JsonIgnore
    public boolean hasSources() {
        return sources != null && !sources.isEmpty();
    }

    @JsonIgnore
    public boolean isMemory() {
        return "memory".equals(storage);
    }

    @JsonIgnore
    public boolean isDiscardNew() {
        return "new".equals(discard);
    }
}

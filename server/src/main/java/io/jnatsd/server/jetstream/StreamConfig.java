package io.jnatsd.server.jetstream;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * A stream's configuration with upstream's JSON names, order and defaults (as 2.9.10 writes
 * it back in STREAM.CREATE/INFO responses). Durations are integer nanoseconds.
 */
@JsonPropertyOrder({"name", "description", "subjects", "retention", "max_consumers", "max_msgs", "max_bytes",
        "max_age", "max_msgs_per_subject", "max_msg_size", "discard", "storage", "num_replicas", "no_ack",
        "duplicate_window", "allow_direct", "mirror_direct", "sealed", "deny_delete", "deny_purge",
        "allow_rollup_hdrs", "discard_new_per_subject", "allow_msg_ttl", "first_seq", "metadata"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class StreamConfig {
    public static final long DEFAULT_DUPLICATE_WINDOW_NANOS = 120_000_000_000L;

    @JsonProperty("name") public String name;
    @JsonProperty("description") @JsonInclude(JsonInclude.Include.NON_EMPTY) public String description;
    @JsonProperty("subjects") @JsonInclude(JsonInclude.Include.NON_EMPTY) public List<String> subjects;
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
    @JsonProperty("first_seq") @JsonInclude(JsonInclude.Include.NON_DEFAULT) public long firstSeq;
    @JsonProperty("metadata") @JsonInclude(JsonInclude.Include.NON_EMPTY) public Map<String, String> metadata;

    // Accepted so they can be refused with a clear error rather than silently ignored.
    @JsonProperty("mirror") public Object mirror;
    @JsonProperty("sources") @JsonInclude(JsonInclude.Include.NON_EMPTY) public List<Object> sources;
    @JsonProperty("republish") public Object republish;
    @JsonProperty("subject_transform") public Object subjectTransform;
    @JsonProperty("placement") public Object placement;
    @JsonProperty("compression") @JsonInclude(JsonInclude.Include.NON_EMPTY) public String compression;
    @JsonProperty("consumer_limits") public Object consumerLimits;
    @JsonProperty("template_owner") @JsonInclude(JsonInclude.Include.NON_EMPTY) public String templateOwner;

    @JsonIgnore
    public boolean isMemory() {
        return "memory".equals(storage);
    }

    @JsonIgnore
    public boolean isDiscardNew() {
        return "new".equals(discard);
    }
}

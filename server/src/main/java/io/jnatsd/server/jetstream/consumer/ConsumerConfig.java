package io.jnatsd.server.jetstream.consumer;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.jnatsd.protocol.subject.Subjects;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A consumer's configuration with upstream's JSON names, order and omissions (as 2.9.10 writes
 * it back in CONSUMER.CREATE/INFO responses, plus the newer {@code filter_subjects},
 * {@code metadata}, and 2.11's pause and priority group settings when set). Durations are integer nanoseconds; policies are upstream's words.
 */
@JsonPropertyOrder({"durable_name", "name", "description", "deliver_policy", "opt_start_seq", "opt_start_time",
        "ack_policy", "ack_wait", "max_deliver", "backoff", "filter_subject", "filter_subjects", "replay_policy",
        "rate_limit_bps", "sample_freq", "max_waiting", "max_ack_pending", "idle_heartbeat", "flow_control",
        "headers_only", "max_batch", "max_expires", "max_bytes", "deliver_subject", "deliver_group",
        "inactive_threshold", "num_replicas", "mem_storage", "direct", "metadata", "pause_until", "priority_groups",
        "priority_policy", "priority_timeout", "dead_letter_subject"})
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public final class ConsumerConfig {
    @JsonProperty("durable_name") @JsonInclude(JsonInclude.Include.NON_EMPTY) public String durableName;
    @JsonProperty("name") @JsonInclude(JsonInclude.Include.NON_EMPTY) public String name;
    @JsonProperty("description") @JsonInclude(JsonInclude.Include.NON_EMPTY) public String description;
    @JsonProperty("deliver_policy") @JsonInclude(JsonInclude.Include.ALWAYS) public String deliverPolicy = "all";
    @JsonProperty("opt_start_seq") public long optStartSeq;
    @JsonProperty("opt_start_time") @JsonInclude(JsonInclude.Include.NON_NULL) public String optStartTime;
    @JsonProperty("ack_policy") @JsonInclude(JsonInclude.Include.ALWAYS) public String ackPolicy = "none";
    @JsonProperty("ack_wait") public long ackWait;
    @JsonProperty("max_deliver") public long maxDeliver;
    @JsonProperty("backoff") @JsonInclude(JsonInclude.Include.NON_EMPTY) public List<Long> backoff;
    @JsonProperty("filter_subject") @JsonInclude(JsonInclude.Include.NON_EMPTY) public String filterSubject;
    @JsonProperty("filter_subjects") @JsonInclude(JsonInclude.Include.NON_EMPTY) public List<String> filterSubjects;
    @JsonProperty("replay_policy") @JsonInclude(JsonInclude.Include.ALWAYS) public String replayPolicy = "instant";
    @JsonProperty("rate_limit_bps") public long rateLimitBps;
    @JsonProperty("sample_freq") @JsonInclude(JsonInclude.Include.NON_EMPTY) public String sampleFreq;
    @JsonProperty("max_waiting") public long maxWaiting;
    @JsonProperty("max_ack_pending") public long maxAckPending;
    @JsonProperty("idle_heartbeat") public long idleHeartbeat;
    @JsonProperty("flow_control") public boolean flowControl;
    @JsonProperty("headers_only") public boolean headersOnly;
    @JsonProperty("max_batch") public long maxBatch;
    @JsonProperty("max_expires") public long maxExpires;
    @JsonProperty("max_bytes") public long maxBytes;
    @JsonProperty("deliver_subject") @JsonInclude(JsonInclude.Include.NON_EMPTY) public String deliverSubject;
    @JsonProperty("deliver_group") @JsonInclude(JsonInclude.Include.NON_EMPTY) public String deliverGroup;
    @JsonProperty("inactive_threshold") public long inactiveThreshold;
    @JsonProperty("num_replicas") @JsonInclude(JsonInclude.Include.ALWAYS) public int numReplicas;
    @JsonProperty("mem_storage") public boolean memStorage;
    @JsonProperty("direct") public boolean direct;
    @JsonProperty("metadata") @JsonInclude(JsonInclude.Include.NON_EMPTY) public Map<String, String> metadata;
    /** RFC 3339, kept in UTC as upstream stores it; null when never paused. */
    @JsonProperty("pause_until") @JsonInclude(JsonInclude.Include.NON_NULL) public String pauseUntil;
    @JsonProperty("priority_groups") @JsonInclude(JsonInclude.Include.NON_EMPTY) public List<String> priorityGroups;
    /** overflow, pinned_client or prioritized; null for none, which upstream leaves out. */
    @JsonProperty("priority_policy") @JsonInclude(JsonInclude.Include.NON_EMPTY) public String priorityPolicy;
    /** How long a pinned client may go without pulling before the pin passes on (upstream's PinnedTTL). */
    @JsonProperty("priority_timeout") public long priorityTimeout;
    /**
     * A jnatsd addition: where a message goes once it used up max_deliver or was terminated
     * ({@link DeadLetters}); other servers and clients that do not know it ignore it.
     */
    @JsonProperty("dead_letter_subject") @JsonInclude(JsonInclude.Include.NON_EMPTY) public String deadLetterSubject;

    @JsonIgnore
    boolean isPush() {
        return deliverSubject != null && !deliverSubject.isEmpty();
    }

    @JsonIgnore
    boolean isPull() {
        return !isPush();
    }

    @JsonIgnore
    public boolean isDurable() {
        return durableName != null && !durableName.isEmpty();
    }

    @JsonIgnore
    boolean acks() {
        return !"none".equals(ackPolicy);
    }

    @JsonIgnore
    boolean isPinnedClient() {
        return "pinned_client".equals(priorityPolicy);
    }

    @JsonIgnore
    boolean isOverflow() {
        return "overflow".equals(priorityPolicy);
    }

    @JsonIgnore
    boolean hasDeadLetterSubject() {
        return deadLetterSubject != null && !deadLetterSubject.isEmpty();
    }

    @JsonIgnore
    boolean isPrioritized() {
        return "prioritized".equals(priorityPolicy);
    }

    @JsonIgnore
    boolean hasPriorityPolicy() {
        return priorityPolicy != null;
    }

    /** The filters in effect: filter_subject, or filter_subjects, or none (everything). */
    @JsonIgnore
    List<String> filters() {
        if (filterSubject != null && !filterSubject.isEmpty()) return List.of(filterSubject);
        if (filterSubjects != null && !filterSubjects.isEmpty()) return filterSubjects;
        return List.of();
    }

    /** Whether a message on {@code subject} passes the filters. */
    boolean matches(String subject) {
        List<String> filters = filters();
        if (filters.isEmpty()) return true;
        for (String f : filters) if (Subjects.subjectMatchesFilter(subject, f)) return true;
        return false;
    }

    /** A deep copy, so an update never changes a config others hold. */
    ConsumerConfig copy() {
        ConsumerConfig c = new ConsumerConfig();
        c.durableName = durableName;
        c.name = name;
        c.description = description;
        c.deliverPolicy = deliverPolicy;
        c.optStartSeq = optStartSeq;
        c.optStartTime = optStartTime;
        c.ackPolicy = ackPolicy;
        c.ackWait = ackWait;
        c.maxDeliver = maxDeliver;
        c.backoff = backoff == null ? null : new ArrayList<>(backoff);
        c.filterSubject = filterSubject;
        c.filterSubjects = filterSubjects == null ? null : new ArrayList<>(filterSubjects);
        c.replayPolicy = replayPolicy;
        c.rateLimitBps = rateLimitBps;
        c.sampleFreq = sampleFreq;
        c.maxWaiting = maxWaiting;
        c.maxAckPending = maxAckPending;
        c.idleHeartbeat = idleHeartbeat;
        c.flowControl = flowControl;
        c.headersOnly = headersOnly;
        c.maxBatch = maxBatch;
        c.maxExpires = maxExpires;
        c.maxBytes = maxBytes;
        c.deliverSubject = deliverSubject;
        c.deliverGroup = deliverGroup;
        c.inactiveThreshold = inactiveThreshold;
        c.numReplicas = numReplicas;
        c.memStorage = memStorage;
        c.direct = direct;
        c.metadata = metadata == null ? null : new LinkedHashMap<>(metadata);
        c.pauseUntil = pauseUntil;
        c.priorityGroups = priorityGroups == null ? null : new ArrayList<>(priorityGroups);
        c.priorityPolicy = priorityPolicy;
        c.priorityTimeout = priorityTimeout;
        c.deadLetterSubject = deadLetterSubject;
        return c;
    }
}

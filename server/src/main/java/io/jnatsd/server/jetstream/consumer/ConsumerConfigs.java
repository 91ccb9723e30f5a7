package io.jnatsd.server.jetstream.consumer;

import io.jnatsd.server.jetstream.common.ApiError;
import io.jnatsd.server.jetstream.common.ApiErrors;
import io.jnatsd.server.jetstream.common.GoTime;
import io.jnatsd.server.jetstream.stream.StreamConfig;
import io.jnatsd.server.jetstream.stream.StreamConfigs;

import io.jnatsd.protocol.subject.Subjects;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Objects;

/** Defaults, validation and allowed updates of consumer configurations, with upstream's errors. */
public final class ConsumerConfigs {
    static final long DEFAULT_ACK_WAIT_NANOS = 30_000_000_000L;
    static final long DEFAULT_INACTIVE_THRESHOLD_NANOS = 5_000_000_000L;
    static final int DEFAULT_MAX_ACK_PENDING = 1000;
    static final int DEFAULT_MAX_WAITING = 512;
    static final int MAX_NAME_LENGTH = 255;
    static final int MAX_DESCRIPTION_LENGTH = 4 * 1024;
    private static final long MIN_HEARTBEAT_NANOS = 100_000_000L;
    private static final long MIN_MAX_EXPIRES_NANOS = 1_000_000L;
    private static final List<String> DELIVER_POLICIES =
            List.of("all", "last", "new", "by_start_sequence", "by_start_time", "last_per_subject");
    private static final List<String> ACK_POLICIES = List.of("none", "all", "explicit");
    private static final List<String> REPLAY_POLICIES = List.of("instant", "original");
    private static final List<String> PRIORITY_POLICIES = List.of("none", "overflow", "pinned_client", "prioritized");
    static final long DEFAULT_PINNED_TTL_NANOS = 120_000_000_000L;
    private static final java.util.regex.Pattern GROUP_NAME = java.util.regex.Pattern.compile("^[a-zA-Z0-9/_=-]{1,16}$");

    private ConsumerConfigs() {}

    /**
     * The complaint about a policy word upstream would fail to decode (such a request is invalid
     * JSON there), or null.
     */
    public static String undecodable(ConsumerConfig c) {
        if (!DELIVER_POLICIES.contains(c.deliverPolicy)) return "can not unmarshal \"" + c.deliverPolicy + "\"";
        if (!ACK_POLICIES.contains(c.ackPolicy)) return "can not unmarshal \"" + c.ackPolicy + "\"";
        if (!REPLAY_POLICIES.contains(c.replayPolicy)) return "can not unmarshal \"" + c.replayPolicy + "\"";
        if (c.priorityPolicy != null && !PRIORITY_POLICIES.contains(c.priorityPolicy)) {
            return "unknown priority policy: \"" + c.priorityPolicy + "\"";
        }
        if (c.pauseUntil != null && parseTime(c.pauseUntil) == null) return "parsing time " + goQuote(c.pauseUntil) + " failed";
        return null;
    }

    /** Whether {@code group} is a valid priority group name (also for UNPIN requests). */
    public static boolean validGroupName(String group) {
        return GROUP_NAME.matcher(group).matches();
    }

    /** upstream's setConsumerConfigDefaults. */
    static void applyDefaults(ConsumerConfig c) {
        if (c.isPull() && c.maxWaiting == 0) c.maxWaiting = DEFAULT_MAX_WAITING;
        if (c.ackWait == 0 && c.acks()) c.ackWait = DEFAULT_ACK_WAIT_NANOS;
        if (c.maxDeliver == 0) c.maxDeliver = -1;
        if (c.backoff != null && !c.backoff.isEmpty()) c.ackWait = c.backoff.get(0);
        if (c.acks() && c.maxAckPending == 0) c.maxAckPending = DEFAULT_MAX_ACK_PENDING;
        if ("none".equals(c.priorityPolicy)) c.priorityPolicy = null; // upstream's zero value, left out when written
        if (c.isPinnedClient() && c.priorityTimeout == 0) c.priorityTimeout = DEFAULT_PINNED_TTL_NANOS;
        if (c.pauseUntil != null) c.pauseUntil = GoTime.utc(c.pauseUntil); // stored in UTC
    }

    /**
     * upstream's checkConsumerCfg: the error for an invalid config, or null. Filters are checked
     * against {@code filterable} ({@link JsAccount#filterableSubjects}); null skips that check.
     */
    static ApiError check(ConsumerConfig c, StreamConfig stream, List<String> filterable) {
        if (c.numReplicas > 0 && c.numReplicas > stream.numReplicas) return ApiErrors.of("JSConsumerReplicasExceedsStream");
        if (c.numReplicas < 0) return ApiErrors.of("JSReplicasCountCannotBeNegative");
        if (c.ackWait < 0) return ApiErrors.of("JSConsumerAckWaitNegativeErr");
        if (c.backoff != null) {
            for (Long b : c.backoff) if (b == null || b <= 0) return ApiErrors.of("JSConsumerBackOffNegativeErr");
            // max_deliver is -1 when unlimited, which upstream refuses with a backoff as well
            if (!c.backoff.isEmpty() && c.maxDeliver <= c.backoff.size()) return ApiErrors.of("JSConsumerMaxDeliverBackoffErr");
        }
        if (c.description != null && c.description.length() > MAX_DESCRIPTION_LENGTH) {
            return ApiErrors.of("JSConsumerDescriptionTooLongErrF", "max", MAX_DESCRIPTION_LENGTH);
        }
        if (StreamConfigs.metadataLength(c.metadata) > StreamConfigs.MAX_METADATA_LENGTH) {
            return ApiErrors.of("JSConsumerMetadataLengthErrF", "limit", "128KB");
        }
        if (c.isPush()) {
            if (!Subjects.isLiteral(c.deliverSubject)) return ApiErrors.of("JSConsumerDeliverToWildcardsErr");
            if (!Subjects.isValidSubject(c.deliverSubject)) return ApiErrors.of("JSConsumerInvalidDeliverSubject");
            for (String s : stream.subjects) {
                if (Subjects.subjectIsSubsetOf(c.deliverSubject, s)) return ApiErrors.of("JSConsumerDeliverCycleErr");
            }
            if (c.maxWaiting != 0) return ApiErrors.of("JSConsumerPushMaxWaitingErr");
            if (c.maxAckPending > 0 && !c.acks()) return ApiErrors.of("JSConsumerMaxPendingAckPolicyRequiredErr");
            if (c.idleHeartbeat > 0 && c.idleHeartbeat < MIN_HEARTBEAT_NANOS) return ApiErrors.of("JSConsumerSmallHeartbeatErr");
        } else {
            if (!c.acks() && "workqueue".equals(stream.retention)) return ApiErrors.of("JSConsumerPullRequiresAckErr");
            if (c.rateLimitBps > 0) return ApiErrors.of("JSConsumerPullWithRateLimitErr");
            if (c.maxWaiting < 0) return ApiErrors.of("JSConsumerMaxWaitingNegativeErr");
            if (c.idleHeartbeat > 0) return ApiErrors.of("JSConsumerHBRequiresPushErr");
            if (c.flowControl) return ApiErrors.of("JSConsumerFCRequiresPushErr");
            if (c.maxBatch < 0) return ApiErrors.of("JSConsumerMaxRequestBatchNegativeErr");
            if (c.maxExpires != 0 && c.maxExpires < MIN_MAX_EXPIRES_NANOS) return ApiErrors.of("JSConsumerMaxRequestExpiresTooSmall");
        }
        if (c.direct) {
            if (c.isPull()) return ApiErrors.of("JSConsumerDirectRequiresPushErr");
            if (c.isDurable()) return ApiErrors.of("JSConsumerDirectRequiresEphemeralErr");
        }
        ApiError filters = checkFilters(c, filterable);
        if (filters != null) return filters;
        ApiError start = checkStart(c);
        if (start != null) return start;
        if (c.sampleFreq != null && !c.sampleFreq.isEmpty()) {
            String s = c.sampleFreq.endsWith("%") ? c.sampleFreq.substring(0, c.sampleFreq.length() - 1) : c.sampleFreq;
            try {
                if (Integer.parseInt(s) < 0) return ApiErrors.of("JSConsumerInvalidSamplingErrF", "err", "<nil>");
            } catch (NumberFormatException e) {
                return ApiErrors.of("JSConsumerInvalidSamplingErrF", "err",
                        "strconv.Atoi: parsing " + goQuote(s) + ": invalid syntax");
            }
        }
        if (c.flowControl && c.idleHeartbeat == 0) return ApiErrors.of("JSConsumerWithFlowControlNeedsHeartbeats");
        if (c.isDurable() && c.name != null && !c.name.isEmpty() && !c.name.equals(c.durableName)) {
            return ApiErrors.of("JSConsumerCreateDurableAndNameMismatch");
        }
        ApiError priority = checkPriority(c);
        if (priority != null) return priority;
        // not when recovering (filterable null), as upstream skips its filter checks then: a
        // stream updated since must not lose the consumer; sending checks again (DeadLetters.loops)
        if (c.hasDeadLetterSubject() && filterable != null) {
            String refusal = DeadLetters.refusal(c.deadLetterSubject, filterable);
            if (refusal != null) return ApiErrors.of("JSStreamInvalidConfigF", "err", refusal);
        }
        return null;
    }

    /** Priority groups: pull consumers only, named groups with a policy, and no groups or timeout without one. */
    private static ApiError checkPriority(ConsumerConfig c) {
        List<String> groups = c.priorityGroups == null ? List.of() : c.priorityGroups;
        if (c.hasPriorityPolicy()) {
            if (c.isPush()) return ApiErrors.of("JSConsumerPushWithPriorityGroupErr");
            if (groups.isEmpty()) return ApiErrors.of("JSConsumerPriorityPolicyWithoutGroup");
            for (String g : groups) {
                if (g == null || g.isEmpty()) return ApiErrors.of("JSConsumerEmptyGroupName");
                if (!validGroupName(g)) return ApiErrors.of("JSConsumerInvalidGroupNameErr");
            }
        } else {
            // 2.12's checks: settings that would do nothing without a policy
            if (!groups.isEmpty()) return ApiErrors.of("JSConsumerPriorityGroupWithPolicyNone");
            if (c.priorityTimeout > 0) return ApiErrors.of("JSConsumerPinnedTTLWithoutPriorityPolicyNone");
        }
        return null;
    }

    /**
     * upstream's filter checks: not both fields, no empty entry in filter_subjects, every filter
     * a valid subject, no filter within another (2.10+: a subset either way; filters that merely
     * share some subjects, such as {@code a.*.c} and {@code a.b.*}, are allowed). A lone
     * filter_subject that is not a valid subject gets 2.9.10's answer (not a subset), which the
     * version jnatsd advertises gives. Unlike 2.10+ (which dropped the check) every filter must
     * still lie within what the stream can hold, as 2.9.10 demands of filter_subject.
     */
    private static ApiError checkFilters(ConsumerConfig c, List<String> filterable) {
        boolean single = c.filterSubject != null && !c.filterSubject.isEmpty();
        boolean many = c.filterSubjects != null && !c.filterSubjects.isEmpty();
        if (single && many) return ApiErrors.of("JSConsumerDuplicateFilterSubjects");
        if (many) {
            for (String f : c.filterSubjects) if (f == null || f.isEmpty()) return ApiErrors.of("JSConsumerEmptyFilter");
        }
        List<String> filters = c.filters();
        for (int i = 0; i < filters.size(); i++) {
            String f = filters.get(i);
            if (many && !Subjects.isValidSubject(f)) return ApiErrors.of("JSStreamInvalidConfigF", "err", "invalid subject");
            for (int j = 0; j < filters.size(); j++) {
                if (j != i && Subjects.isValidSubject(filters.get(j)) && Subjects.subjectIsSubsetOf(f, filters.get(j))) {
                    return ApiErrors.of("JSConsumerOverlappingSubjectFilters");
                }
            }
        }
        if (filterable != null) {
            for (String f : filters) if (!validFilter(f, filterable)) return ApiErrors.of("JSConsumerFilterNotSubsetErr");
        }
        return null;
    }

    /** A filter must be a valid subject inside the stream's subjects, or a wider wildcard over one. */
    static boolean validFilter(String filter, List<String> streamSubjects) {
        if (!Subjects.isValidSubject(filter)) return false;
        boolean wildcard = !Subjects.isLiteral(filter);
        for (String s : streamSubjects) {
            if (Subjects.subjectIsSubsetOf(filter, s)) return true;
            if (wildcard && Subjects.subjectIsSubsetOf(s, filter)) return true;
        }
        return false;
    }

    private static ApiError checkStart(ConsumerConfig c) {
        boolean seq = c.optStartSeq > 0;
        boolean time = c.optStartTime != null;
        switch (c.deliverPolicy) {
            case "all", "last", "new" -> {
                if (seq) return badStart(c.deliverPolicy, "sequence");
                if (time) return badStart(c.deliverPolicy, "time");
            }
            case "last_per_subject" -> {
                if (seq) return badStart("last per subject", "sequence");
                if (time) return badStart("last per subject", "time");
                if (c.filters().isEmpty()) return notSet("last per subject", "filter subject");
            }
            case "by_start_sequence" -> {
                if (!seq) return notSet("by start sequence", "start sequence");
                if (time) return badStart("by start sequence", "time");
            }
            case "by_start_time" -> {
                if (!time) return notSet("by start time", "start time");
                if (seq) return badStart("by start time", "start sequence");
                if (parseTime(c.optStartTime) == null) return ApiErrors.of("JSInvalidJSONErr", "err", "invalid start time");
            }
            default -> {
                return ApiErrors.of("JSInvalidJSONErr", "err", "unknown deliver policy");
            }
        }
        return null;
    }

    private static ApiError badStart(String policy, String start) {
        return ApiErrors.of("JSConsumerInvalidPolicyErrF", "err",
                "consumer delivery policy is deliver " + policy + ", but optional start " + start + " is also set");
    }

    private static ApiError notSet(String policy, String what) {
        return ApiErrors.of("JSConsumerInvalidPolicyErrF", "err",
                "consumer delivery policy is deliver " + policy + ", but optional " + what + " is not set");
    }

    public static Instant parseTime(String s) {
        if (s == null) return null;
        try {
            return java.time.OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * upstream's checkNewConsumerConfig: whether an existing consumer may take {@code next};
     * returns the reason it may not, or null. {@code deliverSubjectHasInterest} tells whether the
     * current push subject is still subscribed.
     */
    static String checkUpdate(ConsumerConfig cur, ConsumerConfig next, boolean deliverSubjectHasInterest) {
        if (!cur.deliverPolicy.equals(next.deliverPolicy)) return "deliver policy can not be updated";
        if (cur.optStartSeq != next.optStartSeq) return "start sequence can not be updated";
        if (!Objects.equals(cur.optStartTime, next.optStartTime)) return "start time can not be updated";
        if (!cur.ackPolicy.equals(next.ackPolicy)) return "ack policy can not be updated";
        if (!cur.replayPolicy.equals(next.replayPolicy)) return "replay policy can not be updated";
        if (cur.idleHeartbeat != next.idleHeartbeat) return "heart beats can not be updated";
        if (cur.flowControl != next.flowControl) return "flow control can not be updated";
        if (cur.maxWaiting != next.maxWaiting) return "max waiting can not be updated";
        if (!Objects.equals(emptyToNull(cur.deliverSubject), emptyToNull(next.deliverSubject))) {
            if (cur.isPull()) return "can not update pull consumer to push based";
            if (next.isPull()) return "can not update push consumer to pull based";
            if (deliverSubjectHasInterest) return ApiErrors.of("JSConsumerNameExistErr").description();
        }
        return null;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static String goQuote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}

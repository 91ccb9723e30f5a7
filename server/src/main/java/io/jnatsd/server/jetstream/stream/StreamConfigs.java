package io.jnatsd.server.jetstream.stream;

import io.jnatsd.server.jetstream.common.ApiError;
import io.jnatsd.server.jetstream.common.ApiErrors;

import io.jnatsd.protocol.subject.SubjectTransform;
import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.protocol.wire.GoQuote;
import java.util.ArrayList;
import java.util.List;

/** Validation and defaults of a requested stream configuration, with upstream's errors. */
public final class StreamConfigs {
    private static final long MIN_DURATION_NANOS = 100_000_000L;
    static final int MAX_NAME_LENGTH = 255;
    private static final int MAX_DESCRIPTION_LENGTH = 4 * 1024;
    private static final int MAX_REPLICAS = 5;
    /** upstream's JSMaxMetadataLen: keys and values together, for streams and consumers alike. */
    public static final int MAX_METADATA_LENGTH = 128 * 1024;

    private StreamConfigs() {}

    /** Stream and consumer names: no dots, wildcards, path separators or whitespace (length is checked apart). */
    public static boolean isValidName(String name) {
        if (name == null || name.isEmpty()) return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '.' || c == '*' || c == '>' || c == '/' || c == '\\' || Character.isWhitespace(c) || c == 0) return false;
        }
        return true;
    }

    /** Fills defaults in place; returns the error for an invalid config, or null. */
    public static ApiError normalize(StreamConfig c) {
        return normalize(c, false);
    }

    /** As {@link #normalize(StreamConfig)}; {@code clustered}: replicas above 1 are the cluster's to place. */
    public static ApiError normalize(StreamConfig c, boolean clustered) {
        if (!isValidName(c.name)) {
            if (c.name != null && (c.name.contains("/") || c.name.contains("\\"))) {
                return ApiErrors.of("JSStreamNameContainsPathSeparatorsErr");
            }
            return ApiErrors.of("JSStreamInvalidConfigF", "err", "invalid name");
        }
        if (c.name.length() > MAX_NAME_LENGTH) {
            return invalid("stream name is too long, maximum allowed is " + MAX_NAME_LENGTH);
        }
        if (c.description != null && c.description.length() > MAX_DESCRIPTION_LENGTH) {
            return invalid("stream description is too long, maximum allowed is " + MAX_DESCRIPTION_LENGTH);
        }
        if (metadataLength(c.metadata) > MAX_METADATA_LENGTH) {
            return invalid("stream metadata exceeds maximum size of " + MAX_METADATA_LENGTH + " bytes");
        }
        if (c.compression != null && !c.compression.isEmpty() && !c.compression.equals("none") && !c.compression.equals("s2")) {
            return ApiErrors.of("JSStreamInvalidConfigF", "err", "invalid compression");
        }
        if (!List.of("limits", "interest", "workqueue").contains(c.retention)) {
            return undecodable(c.retention);
        }
        if (!List.of("file", "memory").contains(c.storage)) {
            return undecodable(c.storage);
        }
        if (!List.of("old", "new").contains(c.discard)) {
            return undecodable(c.discard);
        }
        if (c.numReplicas == 0) c.numReplicas = 1;
        if (c.numReplicas > MAX_REPLICAS) return invalid("maximum replicas is " + MAX_REPLICAS);
        if (c.numReplicas < 0) return ApiErrors.of("JSReplicasCountCannotBeNegative");
        if (c.numReplicas > 1 && !clustered) return ApiErrors.of("JSStreamReplicasNotSupportedErr");
        c.maxMsgs = unlimited(c.maxMsgs);
        c.maxBytes = unlimited(c.maxBytes);
        c.maxMsgSize = unlimited(c.maxMsgSize);
        c.maxMsgsPerSubject = unlimited(c.maxMsgsPerSubject);
        c.maxConsumers = unlimited(c.maxConsumers);
        if (c.maxAge < 0) return invalid("max age can not be negative");
        if (c.maxAge > 0 && c.maxAge < MIN_DURATION_NANOS) {
            return ApiErrors.of("JSStreamInvalidConfigF", "err", "max age needs to be >= 100ms");
        }
        if (c.duplicateWindow < 0) {
            return ApiErrors.of("JSStreamInvalidConfigF", "err", "duplicates window can not be negative");
        }
        boolean sourcing = c.isMirror() || c.hasSources();
        if (c.duplicateWindow == 0 && !sourcing) {
            c.duplicateWindow = StreamConfig.DEFAULT_DUPLICATE_WINDOW_NANOS;
            if (c.maxAge > 0 && c.maxAge < c.duplicateWindow) c.duplicateWindow = c.maxAge;
        } else if (c.maxAge > 0 && c.duplicateWindow > c.maxAge) {
            return ApiErrors.of("JSStreamInvalidConfigF", "err", "duplicates window can not be larger then max age");
        }
        if (c.duplicateWindow > 0 && c.duplicateWindow < MIN_DURATION_NANOS) {
            return invalid("duplicates window needs to be >= 100ms");
        }
        if (c.allowRollupHdrs && c.denyPurge) {
            return ApiErrors.of("JSStreamInvalidConfigF", "err", "roll-ups require the purge permission");
        }
        ApiError counters = checkCounters(c);
        if (counters != null) return counters;
        ApiError discardNewPer = checkDiscardNewPerSubject(c);
        if (discardNewPer != null) return discardNewPer;
        ApiError markers = checkSubjectDeleteMarkers(c);
        if (markers != null) return markers;
        if (c.allowMsgSchedules) {
            if (c.isDiscardNew()) return invalid("message scheduling cannot use discard new");
            if (!c.allowRollupHdrs) { // a schedule rolls up its subject; a non-pedantic upstream turns roll-ups on
                c.allowRollupHdrs = true;
                c.denyPurge = false;
            }
        }
        ApiError sourcingError = StreamSourcing.checkConfig(c);
        if (sourcingError != null) return sourcingError;
        if ((c.subjects == null || c.subjects.isEmpty()) && !sourcing) c.subjects = new ArrayList<>(List.of(c.name));
        if (c.subjects == null) c.subjects = new ArrayList<>();
        ApiError subjects = checkSubjects(c);
        if (subjects != null) return subjects;
        if (c.subjectTransform != null) {
            String src = c.subjectTransform.src;
            if (src != null && !src.isEmpty() && !Subjects.isValidSubject(src)) {
                return ApiErrors.of("JSStreamTransformInvalidSource", "err", "invalid subject " + src);
            }
            try {
                SubjectTransform.validate(src, c.subjectTransform.dest);
            } catch (IllegalArgumentException e) {
                return ApiErrors.of("JSStreamTransformInvalidDestination", "err", e.getMessage());
            }
        }
        return Republisher.checkConfig(c);
    }

    /**
     * The stream's own subjects, in upstream's order: each valid, none repeated, none capturing
     * everything or the JetStream API without no_ack, and no two overlapping.
     */
    private static ApiError checkSubjects(StreamConfig c) {
        List<String> subjects = c.subjects;
        for (int i = 0; i < subjects.size(); i++) {
            String s = subjects.get(i);
            if (!Subjects.isValidSubject(s)) return invalid("invalid subject");
            if (subjects.subList(0, i).contains(s)) return invalid("duplicate subjects detected");
            if (!c.noAck) {
                if (s.equals(">")) return invalid("capturing all subjects requires no-ack to be true");
                if (s.startsWith("$JS.API")) return invalid("subjects that overlap with jetstream api require no-ack to be true");
            }
        }
        // 2.9.10 looks for overlaps only once no subject is repeated
        for (int i = 0; i < subjects.size(); i++) {
            String s = subjects.get(i);
            for (String later : subjects.subList(i + 1, subjects.size())) {
                if (Subjects.subjectsCollide(later, s)) {
                    return invalid("subject " + GoQuote.quote(s) + " overlaps with " + GoQuote.quote(later));
                }
            }
        }
        return null;
    }

    /** allow_msg_counter (2.12): limits retention, discard old, no TTLs; never on a mirror. */
    static ApiError checkCounters(StreamConfig c) {
        if (!c.allowMsgCounter) return null;
        if (c.isDiscardNew()) return invalid("counter stream cannot use discard new");
        if (c.allowMsgTtl) return invalid("counter stream cannot use message TTLs");
        if (c.allowMsgSchedules) return invalid("counter stream cannot use message schedules");
        if (!"limits".equals(c.retention)) return invalid("counter stream can only use limits retention");
        return null;
    }

    /**
     * subject_delete_marker_ttl (2.11): at least a second, never on a mirror; markers are TTL'd
     * roll-ups, so it turns on allow_msg_ttl and allow_rollup_hdrs (and off deny_purge), as a
     * non-pedantic upstream does.
     */
    static ApiError checkSubjectDeleteMarkers(StreamConfig c) {
        if (c.subjectDeleteMarkerTtl < 0) return invalid("subject delete marker TTL must not be negative");
        if (c.subjectDeleteMarkerTtl == 0) return null;
        if (c.subjectDeleteMarkerTtl < 1_000_000_000L) return invalid("subject delete marker TTL must be at least 1 second");
        c.allowMsgTtl = true;
        if (!c.allowRollupHdrs) {
            c.allowRollupHdrs = true;
            c.denyPurge = false;
        }
        if (c.isMirror()) return invalid("subject delete markers forbidden on mirrors");
        return null;
    }

    /** discard_new_per_subject needs discard new and a per-subject limit (on create and on update). */
    static ApiError checkDiscardNewPerSubject(StreamConfig c) {
        if (!c.discardNewPerSubject) return null;
        if (!c.isDiscardNew()) return invalid("discard new per subject requires discard new policy to be set");
        if (c.maxMsgsPerSubject <= 0) return invalid("discard new per subject requires max msgs per subject > 0");
        return null;
    }

    /**
     * What a create request may not ask for although the config is valid: to start sealed, or
     * to serve direct gets for a mirror without being one.
     */
    public static ApiError checkCreate(StreamConfig c) {
        if (c.sealed) return invalid("stream configuration for create can not be sealed");
        if (c.mirrorDirect && c.mirror == null) return invalid("stream has no mirror but does have mirror direct");
        return null;
    }

    /** upstream's configUpdateCheck: what an update may not change, after {@link #normalize}. */
    public static ApiError checkUpdate(StreamConfig old, StreamConfig c) {
        // 2.9.10's rule; newer upstreams let an update change max_consumers
        if (c.maxConsumers != old.maxConsumers) return invalid("stream configuration update can not change MaxConsumers");
        if (!old.storage.equals(c.storage)) return invalid("stream configuration update can not change storage type");
        if (!old.retention.equals(c.retention)) return invalid("stream configuration update can not change retention policy");
        if (old.sealed && !c.sealed) return invalid("stream configuration update can not unseal a sealed stream");
        if (old.denyDelete && !c.denyDelete) return invalid("stream configuration update can not cancel deny message deletes");
        if (old.denyPurge && !c.denyPurge) return invalid("stream configuration update can not cancel deny purge");
        if (old.allowMsgTtl && !c.allowMsgTtl) return invalid("message TTL status can not be disabled");
        if (old.allowMsgSchedules && !c.allowMsgSchedules) return invalid("message schedules can not be disabled");
        if (old.allowMsgCounter != c.allowMsgCounter) {
            return invalid("stream configuration update can not change message counter setting");
        }
        return null;
    }

    /** The bytes of a metadata map's keys and values, as upstream counts them (Go's len of a string: UTF-8 bytes). */
    public static long metadataLength(java.util.Map<String, String> metadata) {
        if (metadata == null) return 0;
        long n = 0;
        for (var e : metadata.entrySet()) {
            n += utf8Length(e.getKey()) + utf8Length(e.getValue());
        }
        return n;
    }

    private static int utf8Length(String s) {
        return s == null ? 0 : s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    /** A policy word Go's decoder does not know: upstream refuses the request as invalid JSON. */
    private static ApiError undecodable(String word) {
        return ApiErrors.of("JSInvalidJSONErr", "err", "can not unmarshal \"" + word + "\"");
    }

    static ApiError invalid(String why) {
        return ApiErrors.of("JSStreamInvalidConfigF", "err", why);
    }

    private static long unlimited(long v) {
        return v <= 0 ? -1 : v;
    }
}

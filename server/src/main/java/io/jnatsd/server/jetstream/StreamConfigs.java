package io.jnatsd.server.jetstream;

import io.jnatsd.protocol.subject.SubjectTransform;
import io.jnatsd.protocol.subject.Subjects;
import java.util.ArrayList;
import java.util.List;

/** Validation and defaults of a requested stream configuration, with upstream's errors. */
final class StreamConfigs {
    private static final long MIN_DURATION_NANOS = 100_000_000L;

    private StreamConfigs() {}

    /** Stream and consumer names: no dots, wildcards, path separators or whitespace; at most 255. */
    static boolean isValidName(String name) {
        if (name == null || name.isEmpty() || name.length() > 255) return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '.' || c == '*' || c == '>' || c == '/' || c == '\\' || Character.isWhitespace(c) || c == 0) return false;
        }
        return true;
    }

    /** Fills defaults in place; returns the error for an invalid config, or null. */
    static ApiError normalize(StreamConfig c) {
        if (!isValidName(c.name)) {
            if (c.name != null && (c.name.contains("/") || c.name.contains("\\"))) {
                return ApiErrors.of("JSStreamNameContainsPathSeparatorsErr");
            }
            return ApiErrors.of("JSStreamInvalidConfigF", "err", "invalid name");
        }
        if (c.compression != null && !c.compression.isEmpty() && !c.compression.equals("none") && !c.compression.equals("s2")) {
            return ApiErrors.of("JSStreamInvalidConfigF", "err", "invalid compression");
        }
        if (!List.of("limits", "interest", "workqueue").contains(c.retention)) {
            return ApiErrors.of("JSStreamInvalidConfigF", "err", "invalid retention policy " + c.retention);
        }
        if (!List.of("file", "memory").contains(c.storage)) {
            return ApiErrors.of("JSStreamInvalidConfigF", "err", "invalid storage type " + c.storage);
        }
        if (!List.of("old", "new").contains(c.discard)) {
            return ApiErrors.of("JSStreamInvalidConfigF", "err", "invalid discard policy " + c.discard);
        }
        if (c.numReplicas == 0) c.numReplicas = 1;
        if (c.numReplicas < 0) return ApiErrors.of("JSReplicasCountCannotBeNegative");
        if (c.numReplicas > 1) return ApiErrors.of("JSStreamReplicasNotSupportedErr");
        c.maxMsgs = unlimited(c.maxMsgs);
        c.maxBytes = unlimited(c.maxBytes);
        c.maxMsgSize = unlimited(c.maxMsgSize);
        c.maxMsgsPerSubject = unlimited(c.maxMsgsPerSubject);
        c.maxConsumers = unlimited(c.maxConsumers);
        if (c.maxAge < 0) return ApiErrors.of("JSStreamInvalidConfigF", "err", "max age needs to be >= 0");
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
        if (c.discardNewPerSubject && (!c.isDiscardNew() || c.maxMsgsPerSubject <= 0)) {
            return ApiErrors.of("JSStreamInvalidConfigF", "err",
                    "discard new per subject requires discard new policy and max msgs per subject to be set");
        }
        if (c.allowRollupHdrs && c.denyPurge) {
            return ApiErrors.of("JSStreamInvalidConfigF", "err", "roll-ups require the purge permission");
        }
        ApiError sourcingError = StreamSourcing.checkConfig(c);
        if (sourcingError != null) return sourcingError;
        if ((c.subjects == null || c.subjects.isEmpty()) && !sourcing) c.subjects = new ArrayList<>(List.of(c.name));
        if (c.subjects == null) c.subjects = new ArrayList<>();
        for (int i = 0; i < c.subjects.size(); i++) {
            String s = c.subjects.get(i);
            if (!Subjects.isValidSubject(s)) {
                return ApiErrors.of("JSStreamInvalidConfigF", "err", "invalid subject");
            }
            if (s.startsWith("$JS.API") || s.equals(">")) {
                return ApiErrors.of("JSStreamInvalidConfigF", "err", "subjects that overlap with jetstream api require no-ack to be true");
            }
            for (int j = 0; j < i; j++) {
                if (Subjects.subjectsCollide(s, c.subjects.get(j))) {
                    return ApiErrors.of("JSStreamInvalidConfigF", "err", "duplicate subjects detected");
                }
            }
        }
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

    private static long unlimited(long v) {
        return v <= 0 ? -1 : v;
    }
}

package io.jnatsd.server.jetstream.stream;

import io.jnatsd.server.jetstream.common.ApiError;
import io.jnatsd.server.jetstream.common.ApiErrors;
import io.jnatsd.server.jetstream.common.GoTime;
import io.jnatsd.server.jetstream.common.GoTimeErrors;
import io.jnatsd.server.jetstream.common.Headers;

import io.jnatsd.conf.GoDuration;
import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.store.StoredMessage;
import io.jnatsd.store.StreamStore;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Message schedules (2.12, ADR-51, {@code allow_msg_schedules}): a message with
 * {@code Nats-Schedule} ({@code @at <RFC 3339>}, {@code @every <duration>}, a six-field cron
 * pattern or {@code @hourly} and the like, with {@code Nats-Schedule-Time-Zone}) is a schedule
 * for its subject; when it fires, a copy goes to {@code Nats-Schedule-Target} (or the last
 * message of {@code Nats-Schedule-Source}) carrying {@code Nats-Scheduler} and
 * {@code Nats-Schedule-Next} (the next time, or {@code purge}: a one-off schedule removes itself).
 *
 * <p>The stream keeps, per schedule subject, the sequence and time it fires next; it learns them
 * from the entries it applies ({@link #applied}), so replicas agree, and from the store when it
 * opens. A timer hands the due copies to the writer as entries; a schedule stays "in flight"
 * until its copy is applied (or refused), so it never fires twice for one time.
 */
final class MessageSchedules {
    static final String SCHEDULE = "Nats-Schedule";
    static final String TIME_ZONE = "Nats-Schedule-Time-Zone";
    static final String TTL = "Nats-Schedule-TTL";
    static final String ROLLUP = "Nats-Schedule-Rollup";
    static final String TARGET = "Nats-Schedule-Target";
    static final String SOURCE = "Nats-Schedule-Source";
    static final String SCHEDULER = "Nats-Scheduler";
    static final String NEXT = "Nats-Schedule-Next";
    static final String PURGE = "purge";
    private static final long SECOND = 1_000_000_000L;
    private static final long MIN_TIMER_NANOS = 250_000_000L;

    /** When a pattern fires next, and whether it repeats. */
    record Fire(long atNanos, ZonedDateTime at, boolean repeats) {}

    /** A publish-time check: the error, or the headers to store instead (null: as published). */
    record Check(ApiError error, byte[] headers) {
        static final Check OK = new Check(null, null);
    }

    private record Due(long seq, long atNanos) {}

    private final Map<String, Due> bySubject = new HashMap<>();
    private final Set<String> inflight = new HashSet<>();
    private final ScheduledExecutorService timers;
    /** Called on the timer thread when something is due; it collects the copies with {@link #due}. */
    private final Runnable onDue;
    private ScheduledFuture<?> timer;
    private long timerDue = Long.MAX_VALUE;
    private boolean closed;

    MessageSchedules(ScheduledExecutorService timers, Runnable onDue) {
        this.timers = timers;
        this.onDue = onDue;
    }

    // ---- patterns ----

    /**
     * The time zone of {@code Nats-Schedule-Time-Zone}: null when absent; throws when present but
     * empty or unknown (upstream's JSMessageSchedulesTimeZoneInvalidErr).
     */
    private static ZoneId zone(byte[] headers) {
        String tz = Headers.get(headers, TIME_ZONE);
        if (tz == null) return null;
        if (tz.isEmpty() || tz.charAt(0) == '+' || tz.charAt(0) == '-' || Character.isDigit(tz.charAt(0))) {
            throw new DateTimeException(tz);
        }
        return tz.equals("UTC") ? ZoneOffset.UTC : ZoneId.of(tz);
    }

    /** When {@code pattern} fires after {@code tsNanos}; null when the pattern is invalid. */
    static Fire parse(String pattern, ZoneId zone, long tsNanos) {
        if (pattern.startsWith("@at ")) {
            if (zone != null) return null;
            String at = pattern.substring(4);
            if (GoTimeErrors.of(at) != null) return null;
            long nanos = GoTime.parse(at);
            return new Fire(nanos, utc(nanos), false);
        }
        if (pattern.startsWith("@every ")) {
            if (zone != null) return null;
            long every;
            try {
                every = GoDuration.parseNanos(pattern.substring(7));
            } catch (IllegalArgumentException bad) {
                return null;
            }
            if (every < SECOND) return null;
            long next = roundToSecond(tsNanos) + every;
            long now = GoTime.nowNanos();
            if (next < now) next = roundToSecond(now) + every;
            return new Fire(next, utc(next), true);
        }
        String cron = switch (pattern) {
            case "@yearly", "@annually" -> "0 0 0 1 1 *";
            case "@monthly" -> "0 0 0 1 * *";
            case "@weekly" -> "0 0 0 * * 0";
            case "@daily", "@midnight" -> "0 0 0 * * *";
            case "@hourly" -> "0 0 * * * *";
            default -> pattern;
        };
        CronSchedule c = CronSchedule.parse(cron);
        if (c == null) return null;
        ZoneId z = zone == null ? ZoneOffset.UTC : zone;
        ZonedDateTime next = c.next(tsNanos, z);
        if (next == null) return null;
        long now = GoTime.nowNanos();
        if (nanos(next) < now) {
            next = c.next(roundToSecond(now), z);
            if (next == null) return null;
        }
        return new Fire(nanos(next), next, true);
    }

    /** When the schedule in {@code headers} fires after {@code tsNanos}: null without a pattern; throws ApiException-like errors as {@link Invalid}. */
    static Fire next(byte[] headers, long tsNanos) throws Invalid {
        ZoneId zone;
        try {
            zone = zone(headers);
        } catch (DateTimeException bad) {
            throw new Invalid(ApiErrors.of("JSMessageSchedulesTimeZoneInvalidErr"));
        }
        String pattern = Headers.get(headers, SCHEDULE);
        if (pattern == null || pattern.isEmpty()) return null;
        Fire f = parse(pattern, zone, tsNanos);
        if (f == null) throw new Invalid(ApiErrors.of("JSMessageSchedulesPatternInvalidErr"));
        return f;
    }

    /** A schedule header upstream refuses. */
    static final class Invalid extends Exception {
        final ApiError error;

        Invalid(ApiError error) {
            super(null, null, false, false);
            this.error = error;
        }
    }

    private static boolean validTtl(String ttl) {
        return ttl == null || ttl.isEmpty() || MessageTtl.parseNanos(ttl) != 0;
    }

    private static long roundToSecond(long nanos) {
        return Math.floorDiv(nanos + SECOND / 2, SECOND) * SECOND;
    }

    private static long nanos(ZonedDateTime t) {
        return t.toEpochSecond() * SECOND + t.getNano();
    }

    private static ZonedDateTime utc(long nanos) {
        return ZonedDateTime.ofInstant(Instant.ofEpochSecond(Math.floorDiv(nanos, SECOND), Math.floorMod(nanos, SECOND)), ZoneOffset.UTC);
    }

    /** Go's time.RFC3339Nano of {@code t} in its own zone: trailing zeros of the fraction trimmed, {@code Z} for UTC. */
    static String rfc3339Nano(ZonedDateTime t) {
        int offset = t.getOffset().getTotalSeconds();
        if (offset == 0) return GoTime.rfc3339Nano(nanos(t));
        String utcForm = GoTime.rfc3339Nano(nanos(t) + offset * SECOND);
        int h = Math.abs(offset) / 3600;
        int m = Math.abs(offset) % 3600 / 60;
        return utcForm.substring(0, utcForm.length() - 1) + (offset < 0 ? '-' : '+') + (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
    }

    // ---- publish-time checks (upstream's order) ----

    /**
     * The schedule headers of a published message on {@code subject}: a valid pattern on a stream
     * that allows schedules, a valid TTL and roll-up, a target (and source) inside the stream's
     * subjects and not the schedule's own; the schedule rolls up its subject. A client may only use
     * {@code Nats-Schedule-Next: purge} with a {@code Nats-Scheduler} naming a schedule.
     */
    static Check checkPublished(StreamConfig c, String subject, byte[] headers, StreamStore store, long nowNanos) {
        Fire fire;
        try {
            fire = next(headers, nowNanos);
        } catch (Invalid bad) {
            return new Check(c.allowMsgSchedules ? bad.error : ApiErrors.of("JSMessageSchedulesDisabledErr"), null);
        }
        byte[] out = null;
        if (fire != null) {
            if (!c.allowMsgSchedules) return refuse(ApiErrors.of("JSMessageSchedulesDisabledErr"));
            String ttl = Headers.get(headers, TTL);
            if (!validTtl(ttl)) return refuse(ApiErrors.of("JSMessageSchedulesTTLInvalidErr"));
            String rollup = Headers.get(headers, ROLLUP);
            if (rollup != null && !rollup.isEmpty() && !rollup.equals("sub")) return refuse(ApiErrors.of("JSMessageSchedulesRollupInvalidErr"));
            if (ttl != null && !ttl.isEmpty() && !c.allowMsgTtl) return refuse(ApiErrors.of("JSMessageTTLDisabledErr"));
            String target = Headers.get(headers, TARGET);
            if (target == null || target.isEmpty() || !Subjects.isValidPublishSubject(target) || target.equals(subject)) {
                return refuse(ApiErrors.of("JSMessageSchedulesTargetInvalidErr"));
            }
            String source = Headers.get(headers, SOURCE);
            if (source != null && !source.isEmpty()
                    && (source.equals(target) || source.equals(subject) || !Subjects.isValidPublishSubject(source))) {
                return refuse(ApiErrors.of("JSMessageSchedulesSourceInvalidErr"));
            }
            if (!collides(c, target)) return refuse(ApiErrors.of("JSMessageSchedulesTargetInvalidErr"));
            if (source != null && !source.isEmpty() && !collides(c, source)) return refuse(ApiErrors.of("JSMessageSchedulesSourceInvalidErr"));
            String ownRollup = Headers.get(headers, "Nats-Rollup");
            if (ownRollup == null || ownRollup.isEmpty()) out = Headers.with(headers, "Nats-Rollup", "sub");
            else if (!ownRollup.equalsIgnoreCase("sub")) return refuse(ApiErrors.of("JSMessageSchedulesRollupInvalidErr"));
        }
        String next = Headers.get(headers, NEXT);
        String scheduler = Headers.get(headers, SCHEDULER);
        if (next != null && !next.isEmpty()) {
            if (!next.equals(PURGE)) return refuse(ApiErrors.of("JSMessageSchedulesSchedulerInvalidErr"));
            if (scheduler == null || scheduler.isEmpty() || scheduler.equals(subject) || !Subjects.isValidPublishSubject(scheduler)) {
                return refuse(ApiErrors.of("JSMessageSchedulesSchedulerInvalidErr"));
            }
            if (!c.allowMsgSchedules) return refuse(ApiErrors.of("JSMessageSchedulesDisabledErr"));
            StoredMessage last = store.loadLast(scheduler);
            if (last != null && Headers.get(last.headers(), SCHEDULE) == null) return refuse(ApiErrors.of("JSMessageSchedulesSchedulerInvalidErr"));
        } else if (scheduler != null && !scheduler.isEmpty()) {
            return refuse(ApiErrors.of("JSMessageSchedulesSchedulerInvalidErr"));
        }
        return out == null ? Check.OK : new Check(null, out);
    }

    private static Check refuse(ApiError e) {
        return new Check(e, null);
    }

    private static boolean collides(StreamConfig c, String subject) {
        for (String s : c.subjects) if (Subjects.subjectsCollide(s, subject)) return true;
        return false;
    }

    // ---- state, from what is applied ----

    /**
     * A message was stored: a schedule (re)arms its subject, another message on a schedule's
     * subject (not a fired copy) cancels it, and a repeating schedule's fired copy moves it on.
     */
    synchronized void applied(long seq, String subject, byte[] headers, long tsNanos) {
        Fire fire = null;
        try {
            fire = headers == null ? null : next(headers, tsNanos);
        } catch (Invalid ignored) {
            // not a schedule
        }
        String scheduler = headers == null ? null : Headers.get(headers, SCHEDULER);
        if (fire != null) {
            bySubject.put(subject, new Due(seq, fire.atNanos()));
            inflight.remove(subject);
        } else if (scheduler == null || scheduler.isEmpty()) {
            bySubject.remove(subject);
            inflight.remove(subject);
        }
        String next = headers == null ? null : Headers.get(headers, NEXT);
        if (next != null && !next.isEmpty() && scheduler != null && !scheduler.isEmpty()) {
            Due d = bySubject.get(scheduler);
            if (next.equals(PURGE)) {
                bySubject.remove(scheduler);
            } else if (d != null && GoTimeErrors.of(next) == null) {
                bySubject.put(scheduler, new Due(d.seq, GoTime.parse(next)));
            }
            inflight.remove(scheduler);
        }
    }

    /** The copy of schedule {@code scheduler} was refused: it may fire again. */
    synchronized void refused(String scheduler) {
        inflight.remove(scheduler);
        arm();
    }

    /** Everything is forgotten (a purge of the stream, or the feature turned off). */
    synchronized void clear() {
        bySubject.clear();
        inflight.clear();
    }

    /** (Re)arms the timer for the next due schedule when it is earlier than the one armed. */
    synchronized void arm() {
        long due = nextDue();
        if (closed || due == Long.MAX_VALUE || (timer != null && timerDue <= due)) return;
        if (timer != null) timer.cancel(false);
        timerDue = due;
        timer = timers.schedule(this::fire, delayNanos(due, GoTime.nowNanos()), TimeUnit.NANOSECONDS);
    }

    private void fire() {
        synchronized (this) {
            timer = null;
            timerDue = Long.MAX_VALUE;
            if (closed) return;
        }
        onDue.run();
        arm();
    }

    /** Stops the timer (the stream closed). */
    synchronized void close() {
        closed = true;
        if (timer != null) timer.cancel(false);
        timer = null;
    }

    /** When the next schedule is due, or Long.MAX_VALUE. */
    private long nextDue() {
        long next = Long.MAX_VALUE;
        for (Map.Entry<String, Due> e : bySubject.entrySet()) {
            if (!inflight.contains(e.getKey())) next = Math.min(next, e.getValue().atNanos);
        }
        return next;
    }

    /** The delay before the timer should run for {@code due}: at least 250 ms, as upstream. */
    private static long delayNanos(long due, long nowNanos) {
        return Math.max(MIN_TIMER_NANOS, due - nowNanos);
    }

    /**
     * The copies of the schedules due by {@code nowNanos}, in schedule sequence order, each as
     * (target, headers, payload); their schedules are in flight until the copy is applied.
     * {@code load} reads a sequence, {@code loadLast} a subject's last message.
     */
    synchronized List<StreamEntry> due(long nowNanos, Function<Long, StoredMessage> load, Function<String, StoredMessage> loadLast) {
        List<Map.Entry<String, Due>> ready = new ArrayList<>();
        for (Map.Entry<String, Due> e : bySubject.entrySet()) {
            if (e.getValue().atNanos <= nowNanos && !inflight.contains(e.getKey())) ready.add(e);
        }
        ready.sort((a, b) -> Long.compare(a.getValue().seq, b.getValue().seq));
        List<StreamEntry> out = new ArrayList<>();
        for (Map.Entry<String, Due> e : ready) {
            String subject = e.getKey();
            StoredMessage m = load.apply(e.getValue().seq);
            StreamEntry copy = m == null ? null : copyOf(m, e.getValue().atNanos, loadLast, nowNanos);
            if (copy == null) {
                bySubject.remove(subject);
                continue;
            }
            out.add(copy);
            inflight.add(subject);
        }
        return out;
    }

    /** The message a due schedule publishes, or null when the schedule is no longer valid. */
    private static StreamEntry copyOf(StoredMessage schedule, long dueNanos, Function<String, StoredMessage> loadLast, long nowNanos) {
        byte[] h = schedule.headers();
        Fire fire;
        try {
            fire = next(h, dueNanos);
        } catch (Invalid bad) {
            return null;
        }
        String ttl = Headers.get(h, TTL);
        String target = Headers.get(h, TARGET);
        if (fire == null || !validTtl(ttl) || target == null || target.isEmpty()) return null;
        String rollup = Headers.get(h, ROLLUP);
        String source = Headers.get(h, SOURCE);
        byte[] headers = h;
        byte[] payload = schedule.payload();
        if (source != null && !source.isEmpty()) {
            StoredMessage s = loadLast.apply(source);
            if (s != null) {
                headers = s.headers();
                payload = s.payload();
            }
        }
        headers = Headers.withoutPrefix(headers, "Nats-Schedule"); // Nats-Schedule-* and Nats-Scheduler too
        headers = Headers.withoutPrefix(headers, "Nats-Expected-");
        headers = Headers.without(headers, "Nats-Msg-Id");
        headers = Headers.without(headers, "Nats-TTL");
        headers = Headers.without(headers, "Nats-Rollup");
        headers = Headers.with(headers, SCHEDULER, schedule.subject());
        headers = Headers.with(headers, NEXT, fire.repeats() ? rfc3339Nano(fire.at()) : PURGE);
        if (ttl != null && !ttl.isEmpty()) headers = Headers.with(headers, "Nats-TTL", ttl);
        if (rollup != null && !rollup.isEmpty()) headers = Headers.with(headers, "Nats-Rollup", rollup);
        return StreamEntry.scheduled(target, headers, payload == null ? new byte[0] : payload, nowNanos);
    }
}

package io.jnatsd.server.jetstream.stream;

import io.jnatsd.server.jetstream.common.ApiError;
import io.jnatsd.server.jetstream.common.ApiErrors;
import io.jnatsd.server.jetstream.common.GoTime;
import io.jnatsd.server.jetstream.common.Headers;
import io.jnatsd.server.jetstream.common.JsJson;
import io.jnatsd.server.jetstream.common.Outbox;

import io.jnatsd.protocol.subject.SubjectTransform;
import io.jnatsd.protocol.subject.Subjects;
import io.jnatsd.server.account.ServiceImports;
import io.jnatsd.server.core.Account;
import io.jnatsd.store.StoredMessage;
import io.jnatsd.store.StreamStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A stream's mirror or sources, served inside the server: the origin streams' stores are read
 * directly, by the sourcing stream's own writer, which is woken when an origin appends (and
 * once a second regardless, which also retries after errors). A mirror stores each message
 * under its origin sequence and time ({@code storeRaw}); a source appends it as a new message
 * with a {@code Nats-Stream-Source} header naming origin, sequence, filter, transform and the
 * original subject, as upstream 2.10+ writes it.
 *
 * <p>Where to resume after a restart: a mirror carries on after its last sequence; a source
 * after the newest origin sequence recorded in the headers of the stream's latest messages,
 * or in {@code sources.json} (written every second while changed, and on close) when those
 * messages are gone.
 */
public final class StreamSourcing {
    public static final String STATE_FILE = "sources.json";
    private static final int PULL_BATCH = 256;
    /** How far back the last messages are searched for each source's position on start. */
    private static final int RECOVERY_SCAN_LIMIT = 100_000;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jetstream-sourcing");
        t.setDaemon(true);
        return t;
    });

    /** One followed origin: the mirror's, or one source's. */
    private final class Follower {
        final StreamConfig.Source cfg;
        final String iname;
        final String[] filters;
        final SubjectTransform[] transforms;
        /** The last origin sequence taken (written by the writer only). */
        volatile long lastSeq;
        volatile long lastContactMillis;
        volatile long lag;
        volatile ApiError error;
        Stream origin;
        /** The origin when it lives on another server (set once, at start); null for one here. */
        RemoteOrigin remote;
        final Runnable wake = () -> target.kick();

        Follower(StreamConfig.Source cfg) {
            this.cfg = cfg;
            this.iname = cfg.indexName();
            if (cfg.subjectTransforms != null && !cfg.subjectTransforms.isEmpty()) {
                filters = new String[cfg.subjectTransforms.size()];
                transforms = new SubjectTransform[filters.length];
                for (int i = 0; i < filters.length; i++) {
                    StreamConfig.Transform t = cfg.subjectTransforms.get(i);
                    filters[i] = t.src == null || t.src.isEmpty() ? ">" : t.src;
                    transforms[i] = t.dest == null || t.dest.isEmpty() ? null : SubjectTransform.create(filters[i], t.dest);
                }
            } else {
                filters = new String[] {cfg.filterSubject == null || cfg.filterSubject.isEmpty() ? ">" : cfg.filterSubject};
                transforms = new SubjectTransform[1];
            }
        }

        /** The next origin message matching any filter after {@code lastSeq}, and which filter. */
        StoredMessage next(StreamStore store, int[] which) {
            StoredMessage best = null;
            for (int i = 0; i < filters.length; i++) {
                StoredMessage m = store.loadNext(filters[i].equals(">") ? null : filters[i], lastSeq + 1);
                if (m != null && (best == null || m.seq() < best.seq())) {
                    best = m;
                    which[0] = i;
                }
            }
            return best;
        }

        String subjectFor(StoredMessage m, int which) {
            SubjectTransform t = transforms[which];
            if (t == null) return m.subject();
            String to = t.match(m.subject());
            return to == null ? m.subject() : to;
        }

        long pending(StreamStore store) {
            long n = 0;
            for (String f : filters) n += store.numPending(lastSeq + 1, f.equals(">") ? null : f, false);
            return n;
        }
    }

    private final JsServer js;
    private final JsAccount ja;
    private final Stream target;
    private final boolean mirror;
    private final List<Follower> followers = new ArrayList<>();
    private final ScheduledFuture<?> timer;
    private volatile boolean closed;
    private boolean stateDirty;

    private StreamSourcing(JsServer js, JsAccount ja, Stream target) {
        this.js = js;
        this.ja = ja;
        this.target = target;
        StreamConfig c = target.config();
        this.mirror = c.isMirror();
        if (mirror) followers.add(new Follower(c.mirror));
        else for (StreamConfig.Source s : c.sources) followers.add(new Follower(s));
        for (Follower f : followers) {
            if (isExternal(f.cfg) && originAccount(f.cfg) == null) f.remote = new RemoteOrigin(js, ja.account, f.cfg, mirror, f.wake);
        }
        this.timer = TIMER.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    // ---- lifecycle ----

    /**
     * Called when a stream has been opened (created or recovered): starts its sourcing, if it
     * has any, and wakes the account's other sourcing streams, which may follow this one.
     */
    public static void opened(JsServer js, JsAccount ja, Stream s) {
        attach(js, ja, s, Map.of());
        List<Stream> others;
        synchronized (ja) {
            others = new ArrayList<>(ja.streams.values());
        }
        for (Stream o : others) if (o != s && o.sourcing() != null) o.kick();
    }

    /** After a config update: sources may have come or gone; known ones keep their position. */
    public static void reconfigured(JsServer js, JsAccount ja, Stream s) {
        StreamSourcing old = s.sourcing();
        Map<String, Long> positions = new HashMap<>();
        if (old != null) {
            for (Follower f : old.followers) positions.put(f.iname, f.lastSeq);
            old.stop();
            s.setSourcing(null);
        }
        attach(js, ja, s, positions);
    }

    private static void attach(JsServer js, JsAccount ja, Stream s, Map<String, Long> known) {
        StreamConfig c = s.config();
        if (!c.isMirror() && !c.hasSources()) return;
        StreamSourcing src = new StreamSourcing(js, ja, s);
        src.recoverPositions(known);
        s.setSourcing(src);
        s.kick();
    }

    /** Stops following; the position of each source is saved for the next start. */
    void close() {
        stop();
        saveState();
    }

    private void stop() {
        closed = true;
        timer.cancel(false);
        for (Follower f : followers) {
            if (f.origin != null) f.origin.removeAppendListener(f.wake);
            f.origin = null;
            if (f.remote != null) f.remote.close();
        }
    }

    private void tick() {
        if (closed) return;
        target.kick();
        synchronized (this) {
            if (stateDirty) {
                stateDirty = false;
                saveState();
            }
        }
    }

    // ---- positions ----

    private Path stateFile() {
        return target.config().isMemory() ? null : js.streamDir(target.account(), target.name()).resolve(STATE_FILE);
    }

    private void recoverPositions(Map<String, Long> known) {
        StreamStore store = target.store();
        if (mirror) {
            Follower f = followers.get(0);
            long last = store.state().lastSeq();
            f.lastSeq = known.getOrDefault(f.iname, Math.max(last, startSeq(f)));
            return;
        }
        Map<String, Long> found = new HashMap<>(known);
        Map<String, Long> saved = readState();
        // The newest messages tell exactly where each source stopped, crash or not.
        Set<String> wanted = new HashSet<>();
        for (Follower f : followers) if (!found.containsKey(f.iname)) wanted.add(f.iname);
        long seq = store.state().lastSeq();
        for (int scanned = 0; !wanted.isEmpty() && seq > 0 && scanned < RECOVERY_SCAN_LIMIT; scanned++) {
            StoredMessage m = store.loadPrev(null, seq);
            if (m == null) break;
            String h = Headers.get(m.headers(), "Nats-Stream-Source");
            if (h != null) {
                String[] f = h.split(" ");
                if (f.length >= 4) {
                    String iname = f[0] + " " + f[2] + " " + f[3];
                    if (wanted.remove(iname)) found.put(iname, parseSeq(f[1]));
                }
            }
            seq = m.seq() - 1;
        }
        for (Follower f : followers) {
            long fromHeaders = found.getOrDefault(f.iname, 0L);
            long fromFile = saved.getOrDefault(f.iname, 0L);
            f.lastSeq = Math.max(Math.max(fromHeaders, fromFile), startSeq(f));
        }
    }

    /** The sequence before the first one a new follower takes (opt_start_seq / opt_start_time). */
    private long startSeq(Follower f) {
        if (f.cfg.optStartSeq > 0) return f.cfg.optStartSeq - 1;
        if (f.cfg.optStartTime != null && !f.cfg.optStartTime.isEmpty()) {
            Stream o = resolve(f);
            if (o == null) return 0;
            try {
                return Stream.seqForTime(o.store(), GoTime.parse(f.cfg.optStartTime)) - 1;
            } catch (RuntimeException e) {
                return 0;
            }
        }
        return 0;
    }

    private static long parseSeq(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private Map<String, Long> readState() {
        Path p = stateFile();
        Map<String, Long> out = new HashMap<>();
        if (p == null || !Files.isRegularFile(p)) return out;
        try {
            var node = JsJson.JSON.readTree(p.toFile());
            node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asLong()));
        } catch (IOException | RuntimeException e) {
            js.log().warn("Could not read the sources state of stream '%s': %s", target.name(), e.getMessage());
        }
        return out;
    }

    private void saveState() {
        Path p = stateFile();
        if (p == null || mirror) return;
        Map<String, Long> state = new LinkedHashMap<>();
        for (Follower f : followers) state.put(f.iname, f.lastSeq);
        try {
            Files.createDirectories(p.getParent());
            Path tmp = p.resolveSibling(STATE_FILE + ".tmp");
            Files.write(tmp, JsJson.JSON.writeValueAsBytes(state));
            Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            js.log().warn("Could not save the sources state of stream '%s': %s", target.name(), e.getMessage());
        }
    }

    // ---- pulling (on the sourcing stream's writer) ----

    /** Takes what the origins have added since last time; true when it took something (there may be more). */
    boolean pull(Stream s, Outbox out) {
        if (closed) return false;
        boolean any = false;
        for (Follower f : followers) any |= pull(f, out);
        if (any) {
            synchronized (this) {
                stateDirty = true;
            }
        }
        return any;
    }

    private boolean pull(Follower f, Outbox out) {
        StreamStore store = target.store();
        RemoteOrigin remote = f.remote;
        StreamStore origin = null;
        if (remote != null) {
            remote.ensure(f.lastSeq, store.state().msgs() == 0);
            f.lastContactMillis = remote.lastContactMillis();
        } else {
            Stream o = resolve(f);
            if (o == null) {
                f.lastContactMillis = 0;
                return false;
            }
            origin = o.store();
            f.lastContactMillis = System.currentTimeMillis();
        }
        int[] which = new int[1];
        int taken = 0;
        long mirrorLast = mirror ? store.state().lastSeq() : 0;
        while (taken < PULL_BATCH && !closed) {
            StoredMessage m = remote != null ? remote.next(f.lastSeq) : f.next(origin, which);
            if (m == null) break;
            if (mirror) {
                if (m.seq() <= mirrorLast) {
                    f.lastSeq = m.seq(); // already have it (the mirror's last sequence is the origin's)
                    continue;
                }
                if (m.seq() > mirrorLast + 1 && store.state().msgs() == 0) store.compact(m.seq()); // start where the origin starts
                String subject = f.subjectFor(m, which[0]);
                StoredMessage mm = subject.equals(m.subject()) ? m
                        : new StoredMessage(subject, m.headers(), m.payload(), m.seq(), m.timestampNanos(), m.ttlNanos());
                if (!target.storeMirrored(mm, out)) {
                    f.error = ApiErrors.of("JSAccountResourcesExceededErr");
                    break;
                }
                mirrorLast = m.seq();
            } else {
                String header = sourceHeader(f, m);
                byte[] ack = target.appendSourced(f.subjectFor(m, which[0]), m.headers(), m.payload(), header, out);
                if (ack != null && PubAck.isError(ack)) {
                    // limits (discard new) or the like: try again from here later
                    f.error = ApiErrors.of("JSSourceConsumerSetupFailedErrF", "err", new String(ack, StandardCharsets.UTF_8));
                    break;
                }
            }
            f.error = null;
            f.lastSeq = m.seq();
            taken++;
        }
        f.lag = remote != null ? remote.pending() : f.pending(origin);
        return taken == PULL_BATCH;
    }

    /** {@code <stream> <seq> <filter> <transform> <original subject>} (upstream 2.10+). */
    private static String sourceHeader(Follower f, StoredMessage m) {
        String[] parts = f.iname.split(" ", 3);
        return parts[0] + " " + m.seq() + " " + parts[1] + " " + parts[2] + " " + m.subject();
    }

    /** The origin stream, (re)registering for its append notices when it changed. */
    private Stream resolve(Follower f) {
        if (f.remote != null) return null;
        JsAccount originAccount = originAccount(f.cfg);
        Stream o = originAccount == null ? null : originAccount.stream(f.cfg.name);
        if (o == target) o = null;
        if (o != f.origin) {
            if (f.origin != null) f.origin.removeAppendListener(f.wake);
            if (o != null) o.addAppendListener(f.wake);
            f.origin = o;
        }
        return o;
    }

    /**
     * The account holding the origin: this one, or for {@code external.api} the account whose
     * JetStream API that prefix reaches through a service import (or this one when the prefix
     * names this server's own domain).
     */
    private JsAccount originAccount(StreamConfig.Source cfg) {
        if (!isExternal(cfg)) return ja;
        String api = cfg.external.api;
        if (api.endsWith(".")) api = api.substring(0, api.length() - 1);
        if (api.equals("$JS.API") || (js.domain() != null && api.equals("$JS." + js.domain() + ".API"))) return ja;
        String probe = api + ".STREAM.INFO." + cfg.name;
        ServiceImports.Target t = ServiceImports.resolve(ja.account, probe);
        if (t == null || !t.subject().equals("$JS.API.STREAM.INFO." + cfg.name)) return null;
        return js.account(t.account());
    }

    private static boolean isExternal(StreamConfig.Source cfg) {
        return cfg.external != null && cfg.external.api != null && !cfg.external.api.isEmpty();
    }

    // ---- headers ----

    /** A source's headers for storing: its own Nats-Stream-Source and Nats-Expected-* dropped, ours added. */
    static byte[] sourcedHeaders(byte[] h, String sourceHeader) {
        StringBuilder b = new StringBuilder(h == null ? 64 : h.length + 64);
        if (h == null || h.length == 0) {
            b.append("NATS/1.0\r\n");
        } else {
            String s = new String(h, StandardCharsets.UTF_8);
            int eol = s.indexOf("\r\n");
            b.append(eol < 0 ? "NATS/1.0" : s, 0, eol < 0 ? 8 : eol).append("\r\n");
            int at = eol < 0 ? s.length() : eol + 2;
            while (at < s.length()) {
                int end = s.indexOf("\r\n", at);
                if (end < 0) end = s.length();
                if (end == at) break;
                String line = s.substring(at, end);
                String name = line.contains(":") ? line.substring(0, line.indexOf(':')).trim() : line;
                if (!name.equalsIgnoreCase("Nats-Stream-Source") && !name.regionMatches(true, 0, "Nats-Expected-", 0, 14)
                        && !name.regionMatches(true, 0, "Nats-Batch-", 0, 11)) {
                    b.append(line).append("\r\n");
                }
                at = end + 2;
            }
        }
        b.append("Nats-Stream-Source: ").append(sourceHeader).append("\r\n\r\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Upstream's short hash of a name: SHA-256, base64url without padding, first 8 characters. */
    static String hash(String name) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d).substring(0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- info ----

    /** Adds {@code mirror} or {@code sources} to a STREAM.INFO answer, as upstream shows them. */
    public static void info(Stream s, Map<String, Object> out) {
        StreamSourcing src = s.sourcing();
        if (src == null) return;
        List<Map<String, Object>> infos = new ArrayList<>();
        for (Follower f : src.followers) infos.add(src.info(f));
        if (src.mirror) out.put("mirror", infos.get(0));
        else out.put("sources", infos);
    }

    private Map<String, Object> info(Follower f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", f.cfg.name);
        if (f.cfg.external != null) m.put("external", f.cfg.external);
        m.put("lag", f.lag);
        long contact = f.lastContactMillis;
        m.put("active", contact == 0 ? -1 : Math.max(0, System.currentTimeMillis() - contact) * 1_000_000L);
        if (f.error != null) m.put("error", f.error);
        if (f.cfg.filterSubject != null && !f.cfg.filterSubject.isEmpty()) m.put("filter_subject", f.cfg.filterSubject);
        if (f.cfg.subjectTransforms != null && !f.cfg.subjectTransforms.isEmpty()) m.put("subject_transforms", f.cfg.subjectTransforms);
        return m;
    }

    // ---- config checks ----

    /** Checks that need no other stream; null when fine. Runs before subjects get their default. */
    static ApiError checkConfig(StreamConfig c) {
        if (c.isMirror()) {
            StreamConfig.Source m = c.mirror;
            if (c.firstSeq > 0) return ApiErrors.of("JSMirrorWithFirstSeqErr");
            if (c.subjects != null && !c.subjects.isEmpty()) return ApiErrors.of("JSMirrorWithSubjectsErr");
            if (c.hasSources()) return ApiErrors.of("JSMirrorWithSourcesErr");
            if (c.allowMsgCounter) return ApiErrors.of("JSMirrorWithCountersErr");
            if (c.allowAtomic) return ApiErrors.of("JSMirrorWithAtomicPublishErr");
            if (c.allowMsgSchedules) return ApiErrors.of("JSMirrorWithMsgSchedulesErr");
            if (m.consumer != null) return ApiErrors.of("JSMirrorDurableConsumerCfgInvalid");
            if (m.optStartSeq > 0 && m.optStartTime != null) return ApiErrors.of("JSMirrorWithStartSeqAndTimeErr");
            if (m.filterSubject != null && !m.filterSubject.isEmpty() && m.subjectTransforms != null
                    && !m.subjectTransforms.isEmpty()) {
                return ApiErrors.of("JSMirrorMultipleFiltersNotAllowed");
            }
            if (m.subjectTransforms != null) {
                for (int i = 0; i < m.subjectTransforms.size(); i++) {
                    StreamConfig.Transform t = m.subjectTransforms.get(i);
                    if (t.src != null && !t.src.isEmpty() && !Subjects.isValidSubject(t.src)) {
                        return ApiErrors.of("JSMirrorInvalidSubjectFilter", "err", "invalid subject " + t.src);
                    }
                    try {
                        SubjectTransform.validate(t.src, t.dest);
                    } catch (IllegalArgumentException e) {
                        return ApiErrors.of("JSMirrorInvalidTransformDestination", "err", e.getMessage());
                    }
                    for (int j = 0; j < i; j++) {
                        if (Subjects.subjectsCollide(orAll(t.src), orAll(m.subjectTransforms.get(j).src))) {
                            return ApiErrors.of("JSMirrorOverlappingSubjectFilters");
                        }
                    }
                }
            }
            if (m.filterSubject != null && !m.filterSubject.isEmpty() && !Subjects.isValidSubject(m.filterSubject)) {
                return ApiErrors.of("JSMirrorInvalidSubjectFilter", "err", "invalid subject " + m.filterSubject);
            }
            if (m.external == null && !StreamConfigs.isValidName(m.name)) return ApiErrors.of("JSMirrorInvalidStreamName");
            ApiError ext = checkExternal(m.external);
            if (ext != null) return ext;
        }
        if (c.hasSources()) {
            if (c.allowMsgSchedules) return ApiErrors.of("JSSourceWithMsgSchedulesErr");
            Set<String> inames = new HashSet<>();
            for (StreamConfig.Source s : c.sources) {
                if (s == null || !StreamConfigs.isValidName(s.name)) return ApiErrors.of("JSSourceInvalidStreamName");
                if (!inames.add(s.indexName())) return ApiErrors.of("JSSourceDuplicateDetected");
                if (s.consumer != null) return ApiErrors.of("JSSourceDurableConsumerCfgInvalid");
                if (s.filterSubject != null && !s.filterSubject.isEmpty() && s.subjectTransforms != null
                        && !s.subjectTransforms.isEmpty()) {
                    return ApiErrors.of("JSSourceMultipleFiltersNotAllowed");
                }
                if (s.filterSubject != null && !s.filterSubject.isEmpty() && !Subjects.isValidSubject(s.filterSubject)) {
                    return ApiErrors.of("JSSourceInvalidSubjectFilter", "err", "invalid subject " + s.filterSubject);
                }
                if (s.subjectTransforms != null) {
                    for (int i = 0; i < s.subjectTransforms.size(); i++) {
                        StreamConfig.Transform t = s.subjectTransforms.get(i);
                        if (t.src != null && !t.src.isEmpty() && !Subjects.isValidSubject(t.src)) {
                            return ApiErrors.of("JSSourceInvalidSubjectFilter", "err", "invalid subject " + t.src);
                        }
                        try {
                            SubjectTransform.validate(t.src, t.dest);
                        } catch (IllegalArgumentException e) {
                            return ApiErrors.of("JSSourceInvalidTransformDestination", "err", e.getMessage());
                        }
                        for (int j = 0; j < s.subjectTransforms.size(); j++) {
                            if (j != i && Subjects.subjectIsSubsetOf(orAll(t.src), orAll(s.subjectTransforms.get(j).src))) {
                                return ApiErrors.of("JSSourceOverlappingSubjectFilters");
                            }
                        }
                    }
                }
                ApiError ext = checkExternal(s.external);
                if (ext != null) return ext;
            }
        }
        return null;
    }

    private static String orAll(String filter) {
        return filter == null || filter.isEmpty() ? ">" : filter;
    }

    private static ApiError checkExternal(StreamConfig.External e) {
        if (e == null) return null;
        if (e.deliver != null && !e.deliver.isEmpty() && !Subjects.isValidPublishSubject(e.deliver)) {
            return ApiErrors.of("JSStreamInvalidExternalDeliverySubjErrF", "prefix", e.deliver);
        }
        if (e.api != null && !e.api.isEmpty()) {
            if (!Subjects.isValidPublishSubject(e.api)) {
                return ApiErrors.of("JSStreamInvalidConfigF", "err",
                        "stream external api prefix \"" + e.api + "\" must be a valid subject without wildcards");
            }
            if (Subjects.subjectsCollide(e.api, "$JS.API")) {
                return ApiErrors.of("JSStreamExternalApiOverlapErrF", "prefix", e.api, "subject", "$JS.API");
            }
        }
        return null;
    }

    /**
     * Checks against the account's other streams (origin max message size, cycles) and lets a
     * mirror inherit its origin's allow_direct as mirror_direct. Caller holds the account lock.
     */
    public static ApiError checkWithStreams(JsAccount ja, StreamConfig c) {
        if (c.isMirror() && c.mirror.external == null) {
            Stream o = ja.streams.get(c.mirror.name);
            if (o != null) {
                StreamConfig oc = o.config();
                if (c.maxMsgSize > 0 && oc.maxMsgSize > 0 && c.maxMsgSize < oc.maxMsgSize) {
                    return ApiErrors.of("JSMirrorMaxMessageSizeTooBigErr");
                }
                c.mirrorDirect = oc.allowDirect;
            }
        }
        if (c.hasSources()) {
            for (StreamConfig.Source s : c.sources) {
                if (s.external != null) continue;
                Stream o = ja.streams.get(s.name);
                if (o != null && c.maxMsgSize > 0 && o.config().maxMsgSize > 0 && c.maxMsgSize < o.config().maxMsgSize) {
                    return ApiErrors.of("JSSourceMaxMessageSizeTooBigErr");
                }
            }
        }
        // a cycle: following sources and mirrors from this config leads back to a visited stream
        List<StreamConfig> toVisit = new ArrayList<>(List.of(c));
        Set<String> visited = new HashSet<>();
        while (!toVisit.isEmpty()) {
            StreamConfig cur = toVisit.remove(0);
            visited.add(cur.name);
            if (cur.hasSources()) {
                for (StreamConfig.Source s : cur.sources) {
                    if (s.external != null) continue;
                    if (visited.contains(s.name)) {
                        if (overlaps(cur.subjects, s.filterSubject)) {
                            return ApiErrors.of("JSStreamInvalidConfigF", "err", "detected cycle");
                        }
                    } else {
                        Stream o = s.name.equals(c.name) ? null : ja.streams.get(s.name);
                        if (o != null) toVisit.add(o.config());
                    }
                }
            }
            if (cur.isMirror() && cur.mirror.external == null) {
                if (visited.contains(cur.mirror.name)) return ApiErrors.of("JSStreamInvalidConfigF", "err", "detected cycle");
                Stream o = ja.streams.get(cur.mirror.name);
                if (o != null && !o.name().equals(c.name)) toVisit.add(o.config());
            }
        }
        return null;
    }

    private static boolean overlaps(List<String> subjects, String filter) {
        if (filter == null || filter.isEmpty()) return true;
        if (subjects == null) return false;
        for (String s : subjects) if (Subjects.subjectsCollide(s, filter)) return true;
        return false;
    }
}

package io.jnatsd.server.log;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.TimeZone;

/**
 * Logging in upstream's shape: {@code [pid] 2006/01/02 15:04:05.000000 [INF] text}, to stderr
 * or a log file, with upstream's levels. Debug and trace lines are built only when enabled.
 */
public final class ServerLog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss.SSSSSS");

    /** Replaced when the log file changes or is reopened; the old stream is closed after the swap. */
    private volatile PrintStream out;
    /** The file written to; null for stderr (or nowhere, for a silent log). */
    private volatile String file;
    private final String prefix;
    private volatile boolean logtime;
    private volatile boolean utc;
    private volatile boolean debug;
    private volatile boolean trace;

    public ServerLog(PrintStream out, boolean logtime, boolean utc, boolean debug, boolean trace) {
        this.out = out;
        this.prefix = "[" + ProcessHandle.current().pid() + "] ";
        this.logtime = logtime;
        this.utc = utc;
        this.debug = debug;
        this.trace = trace;
    }

    /** A log writing to {@code file} (appending), or stderr when null. */
    public static ServerLog open(String file, boolean logtime, boolean utc, boolean debug, boolean trace) throws IOException {
        ServerLog log = new ServerLog(stream(file), logtime, utc, debug, trace);
        log.file = file;
        return log;
    }

    private static PrintStream stream(String file) throws IOException {
        return file == null ? System.err : new PrintStream(new FileOutputStream(file, true), true, StandardCharsets.UTF_8);
    }

    /** A log that writes nothing, for embedded servers that want silence. */
    public static ServerLog silent() {
        return new ServerLog(new PrintStream(OutputStream.nullOutputStream()), false, false, false, false);
    }

    /** Changes the levels in place (config reload). */
    public void setLevels(boolean debug, boolean trace) {
        this.debug = debug;
        this.trace = trace;
    }

    /** A reloaded configuration's time stamps and levels (upstream's ConfigureLogger). */
    public void reconfigure(boolean logtime, boolean utc, boolean debug, boolean trace) {
        this.logtime = logtime;
        this.utc = utc;
        setLevels(debug, trace);
    }

    /** A reloaded configuration's log file ({@code null}: stderr); one that cannot be opened leaves the current. */
    public void switchTo(String newFile) throws IOException {
        swapTo(newFile == null || newFile.isEmpty() ? null : newFile);
    }

    /** Whether the log goes to a file (rather than stderr). */
    public boolean toFile() {
        return file != null;
    }

    /** SIGUSR1: the log file is opened again (after a rotation moved it away). */
    public void reopen() throws IOException {
        if (file != null) swapTo(file);
    }

    private synchronized void swapTo(String newFile) throws IOException {
        PrintStream old = out;
        out = stream(newFile);
        file = newFile;
        if (old != System.err) old.close();
    }

    public boolean isDebug() { return debug; }
    public boolean isTrace() { return trace; }

    public void notice(String fmt, Object... args) { write("[INF] ", fmt, args); }
    public void warn(String fmt, Object... args) { write("[WRN] ", fmt, args); }
    public void error(String fmt, Object... args) { write("[ERR] ", fmt, args); }
    public void fatal(String fmt, Object... args) { write("[FTL] ", fmt, args); }

    public void debug(String fmt, Object... args) {
        if (debug) write("[DBG] ", fmt, args);
    }

    public void trace(String fmt, Object... args) {
        if (trace) write("[TRC] ", fmt, args);
    }

    private void write(String level, String fmt, Object[] args) {
        // Go prints ASCII digits whatever the locale; Locale.US also spares the first line a ~10 ms
        // lookup of the default locale's number symbols.
        String text = args.length == 0 ? fmt : String.format(Locale.US, fmt, args);
        StringBuilder sb = new StringBuilder(prefix.length() + 34 + text.length());
        sb.append(prefix);
        if (logtime) {
            sb.append(TIME.format(now())).append(' ');
        }
        sb.append(level).append(text);
        out.println(sb);
    }

    /**
     * Local time from TimeZone's offset rather than through ZoneId, which would read the time-zone
     * database a second time (for java.time's rules): ~5 ms of the first line of every start.
     */
    private LocalDateTime now() {
        Instant now = Instant.now();
        int offsetMillis = utc ? 0 : TimeZone.getDefault().getOffset(now.toEpochMilli());
        return LocalDateTime.ofEpochSecond(now.getEpochSecond(), now.getNano(), ZoneOffset.ofTotalSeconds(offsetMillis / 1000));
    }

    public void close() {
        if (out != System.err) out.close();
    }
}

package io.jnatsd.server.config;

import java.util.List;

/**
 * What the command line asks for; {@code Main} decides what to print and which exit code to use.
 *
 * <p>How upstream nats-server 2.9.10 behaves for each outcome (checked against the binary):
 * <ul>
 *   <li>{@link Action#RUN}: start the server with {@link #options()}; print {@link #warnings()} (config warnings) to
 *       stderr first.</li>
 *   <li>{@link Action#HELP}: print the usage to stdout and exit 0. When {@link #error()} is set (a bad flag, such as
 *       {@code flag provided but not defined: -foo}), print it to stderr first; upstream still exits 0.</li>
 *   <li>{@link Action#HELP_TLS}: print the TLS help, exit 0.</li>
 *   <li>{@link Action#VERSION}: print {@code <name>: v<version>}, exit 0.</li>
 *   <li>{@link Action#TEST_CONFIG}: the config file is valid: print {@link #warnings()} (only jnatsd's about
 *       blocks it ignores) to stderr, then {@code <name>: configuration file <file> is valid}, exit 0.</li>
 *   <li>{@link Action#SIGNAL}: send {@link #signalCommand()} to {@link #signalPid()} (a pid, a pid file, or
 *       {@code null} for "the only running server"), exit 0 (1 if sending fails).</li>
 *   <li>{@link Action#ERROR}: print {@code <name>: <error>} to stderr, exit 1.</li>
 * </ul>
 *
 * @param action   what to do
 * @param options  the options (defaults, then the config file, then the flags); {@code null} for HELP/VERSION/ERROR
 * @param signal   the raw {@code --signal} argument ({@code <signal>[=<pid|pidfile>]}), or {@code null}
 * @param error    the error message (without the program name prefix), or {@code null}
 * @param warnings config file warnings ({@code file:line:column: message}), empty when none
 */
public record ParsedCommandLine(Action action, ServerOptions options, String signal, String error,
                                List<String> warnings) {

    public enum Action { RUN, HELP, HELP_TLS, VERSION, TEST_CONFIG, SIGNAL, ERROR }

    /** The signal names {@code --signal} accepts, as upstream. */
    public static final List<String> SIGNALS = List.of("ldm", "stop", "quit", "term", "reopen", "reload");

    public ParsedCommandLine {
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** The exit code upstream uses: 1 for {@link Action#ERROR}, otherwise 0 (even after a bad flag). */
    public int exitCode() {
        return action == Action.ERROR ? 1 : 0;
    }

    /** Whether the usage text should be printed (to stdout). */
    public boolean printUsage() {
        return action == Action.HELP;
    }

    /** The signal name of {@code --signal ldm=123}: {@code ldm}; {@code null} without a signal. */
    public String signalCommand() {
        if (signal == null) return null;
        int eq = signal.indexOf('=');
        return eq < 0 ? signal : signal.substring(0, eq);
    }

    /** The pid or pid file of {@code --signal ldm=123}: {@code 123}; {@code null} when not given. */
    public String signalPid() {
        if (signal == null) return null;
        int eq = signal.indexOf('=');
        return eq < 0 ? null : signal.substring(eq + 1);
    }
}

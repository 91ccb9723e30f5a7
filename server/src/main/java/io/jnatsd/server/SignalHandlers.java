package io.jnatsd.server;

import io.jnatsd.server.log.ServerLog;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Upstream's signal meanings for a running server: SIGHUP reloads the config, SIGUSR1 reopens
 * the log file, SIGUSR2 enters lame-duck mode, SIGTERM and SIGINT shut down gracefully.
 * (SIGKILL, which `--signal stop` sends, cannot be caught.) As upstream, a shutdown signal the
 * process inherited as ignored is handled all the same ({@link IgnoredSignals}).
 */
final class SignalHandlers {
    private SignalHandlers() {}

    /** Installs the handlers; the returned action puts back the ones they replaced (for the start-up training). */
    static Runnable install(NatsServer server, ServerLog log, Runnable reload, Runnable reopenLog, Consumer<String> exit) {
        Map<Signal, SignalHandler> replaced = new LinkedHashMap<>();
        handle("HUP", reload, log, replaced);
        handle("USR1", reopenLog, log, replaced);
        // HotSpot itself sends SIGUSR2 to suspend threads unless told to use another signal
        // (_JAVA_SR_SIGNUM, which bin/jnatsd sets); only then may SIGUSR2 mean lame-duck mode.
        String sr = System.getenv("_JAVA_SR_SIGNUM");
        if (sr != null && !sr.isBlank() && !sr.trim().equals("12")) {
            handle("USR2", () -> new Thread(server::enterLameDuckMode, "jnatsd-lame-duck").start(), log, replaced);
        }
        handle("TERM", () -> exit.accept("TERM"), log, replaced);
        handle("INT", () -> exit.accept("INT"), log, replaced);
        return () -> replaced.forEach(Signal::handle);
    }

    private static void handle(String name, Runnable action, ServerLog log, Map<Signal, SignalHandler> replaced) {
        try {
            Signal signal = new Signal(name);
            SignalHandler handler = s -> action.run();
            // HotSpot installs nothing for a shutdown signal it found ignored, and says so by
            // answering SIG_IGN as the previous handler
            SignalHandler previous = Signal.handle(signal, handler);
            replaced.put(signal, previous);
            if (previous == SignalHandler.SIG_IGN) {
                if (IgnoredSignals.resetToDefault(signal.getNumber())) {
                    Signal.handle(signal, handler);
                } else {
                    log.warn("SIG%s was ignored when jnatsd started and cannot be handled on this JVM", name);
                }
            }
        } catch (IllegalArgumentException e) {
            // Not available on this platform (or already used by the JVM): leave the default.
        }
    }
}

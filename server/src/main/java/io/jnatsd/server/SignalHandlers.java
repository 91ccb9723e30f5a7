package io.jnatsd.server;

import java.util.function.Consumer;
import sun.misc.Signal;

/**
 * Upstream's signal meanings for a running server: SIGHUP reloads the config, SIGUSR1 reopens
 * the log file, SIGUSR2 enters lame-duck mode, SIGTERM and SIGINT shut down gracefully.
 * (SIGKILL, which `--signal stop` sends, cannot be caught.)
 */
final class SignalHandlers {
    private SignalHandlers() {}

    static void install(NatsServer server, Runnable reload, Runnable reopenLog, Consumer<String> exit) {
        handle("HUP", reload);
        handle("USR1", reopenLog);
        // HotSpot itself sends SIGUSR2 to suspend threads unless told to use another signal
        // (_JAVA_SR_SIGNUM, which bin/jnatsd sets); only then may SIGUSR2 mean lame-duck mode.
        String sr = System.getenv("_JAVA_SR_SIGNUM");
        if (sr != null && !sr.isBlank() && !sr.trim().equals("12")) {
            handle("USR2", () -> new Thread(server::enterLameDuckMode, "jnatsd-lame-duck").start());
        }
        handle("TERM", () -> exit.accept("TERM"));
        handle("INT", () -> exit.accept("INT"));
    }

    private static void handle(String name, Runnable action) {
        try {
            Signal.handle(new Signal(name), s -> action.run());
        } catch (IllegalArgumentException e) {
            // Not available on this platform (or already used by the JVM): leave the default.
        }
    }
}

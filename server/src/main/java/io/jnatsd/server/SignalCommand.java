package io.jnatsd.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code --signal <cmd>[=<pid or pid file>]}: sends a running server the signal upstream maps
 * each command to. Without a pid, the one running jnatsd process is found by its command line.
 */
final class SignalCommand {
    private static final Map<String, String> SIGNALS = Map.of(
            "stop", "KILL", "quit", "INT", "term", "TERM", "reload", "HUP", "reopen", "USR1", "ldm", "USR2");

    private SignalCommand() {}

    /** Returns an error message, or null when the signal was sent. */
    static String run(String argument) {
        String cmd = argument;
        String target = null;
        int eq = argument.indexOf('=');
        if (eq >= 0) {
            cmd = argument.substring(0, eq);
            target = argument.substring(eq + 1);
        }
        String signal = SIGNALS.get(cmd.toLowerCase());
        if (signal == null) return "unknown signal \"" + cmd + "\"";
        long pid;
        try {
            pid = target == null || target.isEmpty() ? findRunningServer() : resolvePid(target);
        } catch (IllegalStateException | IOException | NumberFormatException e) {
            return e.getMessage();
        }
        try {
            Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
            if (p.waitFor() != 0) return "unable to signal process " + pid;
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        return null;
    }

    private static long resolvePid(String target) throws IOException {
        if (target.chars().allMatch(Character::isDigit)) return Long.parseLong(target);
        return Long.parseLong(Files.readString(Path.of(target)).trim());
    }

    private static long findRunningServer() {
        long self = ProcessHandle.current().pid();
        List<ProcessHandle> found = ProcessHandle.allProcesses()
                .filter(p -> p.pid() != self)
                .filter(p -> p.info().commandLine().map(c -> c.contains("jnatsd.jar")).orElse(false))
                .toList();
        if (found.isEmpty()) throw new IllegalStateException("no jnatsd process running");
        if (found.size() > 1) throw new IllegalStateException("multiple jnatsd processes running; give a pid");
        return found.get(0).pid();
    }
}

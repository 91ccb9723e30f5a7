package io.jnatsd.server;

import io.jnatsd.conf.ConfException;
import io.jnatsd.server.config.ReloadRefusedException;
import io.jnatsd.server.config.ParsedCommandLine;
import io.jnatsd.server.config.ServerCommandLine;
import io.jnatsd.server.config.ServerOptions;
import io.jnatsd.server.log.ServerLog;
import io.jnatsd.server.monitor.MonitorException;
import io.jnatsd.server.net.Transport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The {@code jnatsd} command: upstream nats-server's command line, exit codes and signals. */
public final class Main {
    private static final String NAME = "jnatsd";

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit code. Blocks while the server runs. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        ParsedCommandLine cl = ServerCommandLine.parse(args);
        switch (cl.action()) {
            case HELP -> {
                if (cl.error() != null) err.println(cl.error());
                out.print(ServerCommandLine.usage(NAME));
                return cl.exitCode();
            }
            case HELP_TLS -> {
                out.print(ServerCommandLine.tlsUsage());
                return 0;
            }
            case VERSION -> {
                out.println(NAME + ": v" + Versions.jnatsd() + " (NATS " + Versions.NATS_COMPATIBLE + " compatible)");
                return 0;
            }
            case ERROR -> {
                err.println(NAME + ": " + cl.error());
                return cl.exitCode();
            }
            case TEST_CONFIG -> {
                cl.warnings().forEach(err::println);
                try {
                    NatsServer.validate(cl.options());
                } catch (IllegalArgumentException e) {
                    err.println(NAME + ": " + e.getMessage());
                    return 1;
                }
                out.println(NAME + ": configuration file " + cl.options().configFile + " is valid");
                return 0;
            }
            case SIGNAL -> {
                String failure = SignalCommand.run(cl.signal());
                if (failure != null) {
                    err.println(NAME + ": " + failure);
                    return 1;
                }
                return 0;
            }
            default -> {
                return serve(cl, args, err);
            }
        }
    }

    private static int serve(ParsedCommandLine cl, String[] args, PrintStream err) {
        Started started = start(cl, args, err);
        if (started.server() == null) return started.exitCode();
        try {
            started.server().awaitShutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deletePidFile(cl.options());
        started.log().close();
        return 0;
    }

    /** A server {@link #start} left running with its log, or the exit code of a start that failed. */
    record Started(NatsServer server, ServerLog log, int exitCode, Runnable restoreSignals) {
        Started(int exitCode) {
            this(null, null, exitCode, () -> {});
        }
    }

    /**
     * Everything a {@code jnatsd} start does up to the listening server: log, signal handlers,
     * listeners, pid file. Also the start-up training's way in ({@link StartupTraining}), so that
     * the cache holds this path and not a look-alike.
     */
    static Started start(ParsedCommandLine cl, String[] args, PrintStream err) {
        Transport.logThroughJdkLogging();
        ServerOptions opts = cl.options();
        ServerLog log;
        try {
            log = ServerLog.open(opts.logFile, opts.logtime, opts.logtimeUtc, opts.debug || opts.trace, opts.trace);
        } catch (IOException e) {
            err.println(NAME + ": error opening log file: " + e.getMessage());
            return new Started(1);
        }
        cl.warnings().forEach(w -> log.warn("%s", w));
        NatsServer server;
        try {
            server = new NatsServer(opts, log);
        } catch (IllegalArgumentException e) {
            err.println(NAME + ": " + e.getMessage());
            log.close();
            return new Started(1);
        }
        // before the listeners open, as upstream: a signal sent once the port answers is handled
        server.setReloadSource(() -> optionsAgain(args));
        Runnable restoreSignals = SignalHandlers.install(server, log, () -> reload(server, log), () -> reopenLog(log),
                signal -> new Thread(() -> {
                    log.notice("Trapped \"%s\" signal", signal.equals("TERM") ? "terminated" : "interrupt");
                    server.shutdown();
                }, "jnatsd-signal").start());
        try {
            server.start();
        } catch (MonitorException e) {
            log.fatal("%s", e.getMessage());
            return new Started(1);
        } catch (Exception e) {
            log.fatal("Error listening on port: %s:%d, %s", opts.host, opts.port, e.getMessage());
            return new Started(1);
        }
        writePidFile(opts, log);
        return new Started(server, log, 0, restoreSignals);
    }

    /** SIGUSR1: the log file is opened again, as upstream (after logrotate moved it). */
    private static void reopenLog(ServerLog log) {
        if (!log.toFile()) {
            log.notice("File log re-open ignored, not a file logger");
            return;
        }
        try {
            log.reopen();
            log.notice("File log re-opened");
        } catch (IOException e) {
            log.error("Error re-opening log file: %s", e.getMessage());
        }
    }

    /** SIGHUP: reread the config file and apply it (see {@link NatsServer#reload()}). */
    private static void reload(NatsServer server, ServerLog log) {
        try {
            server.reload();
        } catch (ReloadRefusedException e) {
            log.error("Failed to reload server configuration: %s", e.getMessage());
        }
    }

    /**
     * A reload's options: the config file read again with the command line's flags over it, as
     * upstream merges its flag snapshot over the reloaded file.
     */
    private static ServerOptions optionsAgain(String[] args) throws ConfException {
        ParsedCommandLine again = ServerCommandLine.parse(args);
        if (again.action() != ParsedCommandLine.Action.RUN) {
            throw new ConfException(null, 0, 0, again.error() == null ? "cannot read the configuration" : again.error());
        }
        return again.options();
    }

    static void writePidFile(ServerOptions opts, ServerLog log) {
        if (opts.pidFile == null || opts.pidFile.isEmpty()) return;
        try {
            Files.writeString(Path.of(opts.pidFile), Long.toString(ProcessHandle.current().pid()), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            log.error("Could not write pidfile: %s", e.getMessage());
        }
    }

    private static void deletePidFile(ServerOptions opts) {
        if (opts.pidFile == null || opts.pidFile.isEmpty()) return;
        try {
            Files.deleteIfExists(Path.of(opts.pidFile));
        } catch (IOException ignored) {
            // best effort, as upstream
        }
    }
}

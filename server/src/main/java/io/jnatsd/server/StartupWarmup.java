package io.jnatsd.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.epoll.Epoll;
import java.security.SecureRandom;

/**
 * Start-up work that does not depend on the command line, begun on a second thread while the main thread
 * parses it: the JSON mapper's class initialisation (locale and date-format tables), the security providers
 * behind the server's nkey, and loading the native epoll library. Each costs tens of milliseconds cold, and
 * the main thread needs them in that order a moment later; when it gets there first it simply waits on the
 * class initialisation already under way.
 */
final class StartupWarmup {
    private StartupWarmup() {}

    static void begin() {
        Thread t = new Thread(StartupWarmup::run, "jnatsd-warmup");
        t.setDaemon(true);
        t.start();
    }

    private static void run() {
        try {
            new ObjectMapper().writeValueAsBytes(java.util.Map.of("warm", 1));
            new SecureRandom().nextInt();
            Epoll.isAvailable();
        } catch (Throwable ignored) {
            // the main thread meets the same failure where it can report it
        }
    }
}

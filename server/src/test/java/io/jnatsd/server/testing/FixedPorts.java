package io.jnatsd.server.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * Free ports below Linux's ephemeral range (32768-60999), for processes that restart on their
 * ports: a port of that range may meanwhile be given to some outgoing connection
 * (TestServer.freePort's kind of port once failed a restart with "address already in use").
 */
public final class FixedPorts {
    private final Set<Integer> taken = new HashSet<>();
    private final Random random = new Random();

    public synchronized int next() throws IOException {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = 20000 + random.nextInt(12000);
            if (taken.contains(port)) continue;
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress("127.0.0.1", port));
            } catch (IOException e) {
                continue;
            }
            taken.add(port);
            return port;
        }
        throw new IOException("no free port in 20000-31999");
    }
}

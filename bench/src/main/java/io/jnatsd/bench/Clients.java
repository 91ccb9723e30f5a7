package io.jnatsd.bench;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Consumer;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The connections of one run, and everything the client reports on them: a server error, an
 * exception, a client-side slow consumer or a dropped connection is recorded and fails the run
 * at the next {@link #check()}.
 */
final class Clients implements AutoCloseable {
    private final BenchConfig cfg;
    private final List<Connection> connections = new ArrayList<>();
    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    private volatile boolean closing;

    Clients(BenchConfig cfg) {
        this.cfg = cfg;
    }

    /**
     * jnats tuned for throughput: a large socket buffer, a deep outgoing queue that blocks
     * (rather than fails) a publisher that gets ahead of the socket, and no reconnect, so a
     * connection the server drops ends the run instead of silently losing messages.
     */
    Connection connect(String name) throws IOException, InterruptedException {
        return connect(name, cfg.url());
    }

    /** The same, to the server at {@code url} (a subscriber on another server of a cluster). */
    Connection connect(String name, String url) throws IOException, InterruptedException {
        long queueBytes = 128L * 1024 * 1024;
        int queueMsgs = (int) Math.max(5_000, Math.min(1_000_000, queueBytes / (cfg.size() + 64)));
        Options opts = new Options.Builder()
                .server(url)
                .connectionName(name)
                .bufferSize(cfg.bufferSize())
                .maxMessagesInOutgoingQueue(queueMsgs)
                .writeQueuePushTimeout(Duration.ofSeconds(60))
                .connectionTimeout(Duration.ofSeconds(10))
                .noReconnect()
                .errorListener(new Errors(name))
                .connectionListener(new Drops(name))
                .build();
        Connection c = Nats.connect(opts);
        connections.add(c);
        return c;
    }

    List<Connection> all() {
        return connections;
    }

    /**
     * After the last expected message: a round trip on every connection (whatever the server
     * sent before its PONG has been read) and the client queues of {@code consumers} drained,
     * so a receiver that got more than expected has seen it by the time this returns.
     */
    void settle(List<? extends Consumer> consumers, Duration timeout) throws Exception {
        for (Connection c : connections) {
            try {
                c.flush(timeout);
            } catch (TimeoutException e) {
                throw new VerificationException(c.getOptions().getConnectionName() + ": flush timed out");
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Consumer c : consumers) {
            while (c.getPendingMessageCount() > 0) {
                if (System.nanoTime() > deadline) throw new VerificationException("client queues do not drain");
                LockSupport.parkNanos(1_000_000);
            }
        }
        LockSupport.parkNanos(20_000_000); // the last handler call may still be running
        check();
    }

    /** Fails with everything the client reported so far, if anything. */
    void check() throws VerificationException {
        if (!errors.isEmpty()) throw new VerificationException(String.join("; ", errors));
    }

    /** Records a failure seen outside the client's callbacks (a polling thread's). */
    void report(String error) {
        if (!closing) errors.add(error);
    }

    @Override
    public void close() {
        closing = true;
        for (Connection c : connections) {
            try {
                c.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final class Errors implements ErrorListener {
        private final String name;

        Errors(String name) {
            this.name = name;
        }

        @Override
        public void errorOccurred(Connection conn, String error) {
            errors.add(name + ": server error: " + error);
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exp) {
            report(name + ": " + exp);
        }

        @Override
        public void slowConsumerDetected(Connection conn, Consumer consumer) {
            errors.add(name + ": slow consumer in the client");
        }
    }

    private final class Drops implements ConnectionListener {
        private final String name;

        Drops(String name) {
            this.name = name;
        }

        @Override
        public void connectionEvent(Connection conn, ConnectionListener.Events type) {
            if (type == ConnectionListener.Events.DISCONNECTED || type == ConnectionListener.Events.CLOSED) {
                report(name + ": connection " + type.name().toLowerCase() + " during the run");
            }
        }
    }
}

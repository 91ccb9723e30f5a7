package io.jnatsd.server;

import io.jnatsd.server.config.ServerCommandLine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The training run behind the launcher's ahead-of-time cache ({@code bin/jnatsd} runs it once per build with
 * {@code -XX:AOTCacheOutput}): it walks the path a real start takes — command line, server start, a client's
 * CONNECT, SUB, PUB with and without headers, PING, a JetStream publish — so that the classes and method
 * profiles of exactly that path are loaded and linked from the cache on every later start; then a
 * burst of traffic for the profiles of the message paths.
 */
public final class StartupTraining {
    private StartupTraining() {}

    public static void main(String[] args) throws Exception {
        Path store = Files.createTempDirectory("jnatsd-training");
        try {
            Main.Started js = launch("-a", "127.0.0.1", "-p", "0", "-js", "-sd", store.toString());
            try {
                for (int i = 0; i < 20; i++) converse(js.server().port(), false);
                rehearse(js.server().port());
            } finally {
                stop(js);
            }
            // TLS on a cold start was ~800 classes and 1.5 s of CPU outside the cache; both key kinds
            for (String kind : new String[] {"ec", "rsa"}) {
                Path cert = resource(store, kind + "-cert.pem");
                Path key = resource(store, kind + "-key.pem");
                Main.Started tls = launch("-a", "127.0.0.1", "-p", "0", "--tls", "--tlscert", cert.toString(),
                        "--tlskey", key.toString());
                try {
                    for (int i = 0; i < 5; i++) converse(tls.server().port(), true);
                } finally {
                    stop(tls);
                }
            }
            // Mutual TLS: the client listener with verify runs on BoringSSL (net.NativeTls), whose Java side
            // would otherwise stay out of the cache. The self-signed EC certificate is its own CA here.
            Path cert = store.resolve("ec-cert.pem");
            Path key = store.resolve("ec-key.pem");
            Main.Started mtls = launch("-a", "127.0.0.1", "-p", "0", "--tls", "--tlscert", cert.toString(),
                    "--tlskey", key.toString(), "--tlsverify", "--tlscacert", cert.toString());
            try {
                var me = new io.jnatsd.server.net.PemKeyManager(io.jnatsd.server.net.PemFiles.privateKey(key),
                        io.jnatsd.server.net.PemFiles.certificates(cert));
                for (int i = 0; i < 5; i++) converse(mtls.server().port(), true, me);
            } finally {
                stop(mtls);
            }
        } finally {
            deleteTree(store);
        }
    }

    /** A server started exactly as {@code bin/jnatsd} starts one (its log goes to the training's stdout). */
    private static Main.Started launch(String... args) {
        Main.Started started = Main.start(ServerCommandLine.parse(args), args, System.err);
        if (started.server() == null) throw new IllegalStateException("training server did not start");
        return started;
    }

    private static void stop(Main.Started started) throws InterruptedException {
        started.server().shutdown();
        started.server().awaitShutdown();
        started.log().close();
        started.restoreSignals().run(); // the training also runs inside test JVMs
    }

    /** A training certificate or key (self-signed, used by nothing but this run) copied out as a file. */
    private static Path resource(Path dir, String name) throws IOException {
        Path out = dir.resolve(name);
        try (InputStream in = StartupTraining.class.getResourceAsStream("training/" + name)) {
            if (in == null) throw new IOException("missing training resource " + name);
            Files.copy(in, out);
        }
        return out;
    }

    /** One client's life: everything a typical client sends first, then the replies read to the final PONG. */
    private static void converse(int port, boolean tls) throws IOException {
        converse(port, tls, null);
    }

    /** The same, over TLS presenting {@code me}'s certificate when given. */
    private static void converse(int port, boolean tls, javax.net.ssl.KeyManager me) throws IOException {
        try (Socket plain = new Socket("127.0.0.1", port)) {
            plain.setSoTimeout(5_000);
            readUntil(plain.getInputStream(), "\r\n", 1); // INFO, before any TLS
            Socket s = tls ? TrainingTls.upgrade(plain, me) : plain;
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            String hmsg = "NATS/1.0\r\nA: b\r\n\r\n";
            String stream = "{\"name\":\"T\",\"subjects\":[\"t.s\"],\"storage\":\"file\"}";
            out.write(("CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true,\"no_responders\":true}\r\n"
                    + "PING\r\nSUB t.> 1\r\nSUB t.a q 2\r\nSUB _INBOX.r 3\r\nPUB t.a 5\r\nhello\r\n"
                    + "HPUB t.b " + hmsg.length() + " " + (hmsg.length() + 2) + "\r\n" + hmsg + "hi\r\n"
                    + "PUB $JS.API.STREAM.CREATE.T _INBOX.r " + stream.length() + "\r\n" + stream + "\r\n"
                    + "PUB t.s _INBOX.r 2\r\nok\r\nUNSUB 2\r\nPING\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            readUntil(in, "PONG\r\n", 2);
        }
    }

    /**
     * A burst of ~470,000 messages through the paths a busy server runs hot (PUB to no subscriber,
     * to one, to a queue group; 16 B and 1 KiB payloads), so that the cache also carries their
     * method profiles (JEP 515) and the JIT compiles them in the first moments of traffic rather
     * than after its first seconds. On a fresh server the first million pubsub 16 B messages ran
     * at 0.65-0.99 M msgs/s without it and 1.1-1.4 M with it, the server spending 0.9-1.6 s of CPU
     * on them instead of 0.6-0.75 s. (Caches from two training runs differ by up to ~20% here.)
     */
    private static void rehearse(int port) throws IOException {
        try (Socket sub = connect(port, "SUB t.one 1\r\nSUB t.q q 2\r\nSUB t.q q 3\r\n"); Socket pub = connect(port, "")) {
            Thread drain = new Thread(() -> discard(sub), "training-drain");
            drain.setDaemon(true);
            drain.start();
            String small = "0123456789abcdef";
            String big = "x".repeat(1024);
            StringBuilder chunk = new StringBuilder();
            for (int i = 0; i < 100; i++) {
                chunk.append("PUB t.none 16\r\n").append(small).append("\r\n");
                chunk.append("PUB t.one 16\r\n").append(small).append("\r\n");
                chunk.append("PUB t.q 16\r\n").append(small).append("\r\n");
                if (i % 10 == 0) chunk.append("PUB t.one 1024\r\n").append(big).append("\r\n");
            }
            byte[] bytes = chunk.toString().getBytes(StandardCharsets.US_ASCII);
            OutputStream out = pub.getOutputStream();
            for (int i = 0; i < 1_500; i++) out.write(bytes);
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            readUntil(pub.getInputStream(), "PONG\r\n", 1); // everything before it has been processed
        }
    }

    /** A client connected with CONNECT and {@code subscriptions}, past its first PONG. */
    private static Socket connect(int port, String subscriptions) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(30_000);
        readUntil(s.getInputStream(), "\r\n", 1); // INFO
        s.getOutputStream().write(("CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true}\r\n"
                + subscriptions + "PING\r\n").getBytes(StandardCharsets.US_ASCII));
        readUntil(s.getInputStream(), "PONG\r\n", 1);
        return s;
    }

    private static void discard(Socket s) {
        byte[] b = new byte[64 * 1024];
        try {
            InputStream in = s.getInputStream();
            while (in.read(b) >= 0) {
                // nothing: the subscriber only has to keep up
            }
        } catch (IOException e) {
            // closed at the end of the rehearsal
        }
    }

    /** Reads until {@code end} has been seen {@code times} times. */
    private static void readUntil(InputStream in, String end, int times) throws IOException {
        StringBuilder seen = new StringBuilder();
        int found = 0;
        while (found < times) {
            int b = in.read();
            if (b < 0) throw new IOException("connection closed before " + end.trim());
            seen.append((char) b);
            if (seen.length() >= end.length() && seen.substring(seen.length() - end.length()).equals(end)) found++;
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The client side of the training's TLS conversations: it trusts whatever the training server shows. */
    private static final class TrainingTls {
        private TrainingTls() {}

        static Socket upgrade(Socket plain, javax.net.ssl.KeyManager me) throws IOException {
            try {
                javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
                ctx.init(me == null ? null : new javax.net.ssl.KeyManager[] {me}, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                    @Override
                    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

                    @Override
                    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

                    @Override
                    public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                        return new java.security.cert.X509Certificate[0];
                    }
                }}, null);
                javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) ctx.getSocketFactory()
                        .createSocket(plain, "127.0.0.1", plain.getPort(), true);
                s.startHandshake();
                return s;
            } catch (java.security.GeneralSecurityException e) {
                throw new IOException(e);
            }
        }
    }
}

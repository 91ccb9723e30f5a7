package io.jnatsd.store;

import java.io.PrintStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The child process of {@link FileStoreCrashTest}: appends messages forever, printing each
 * acknowledged sequence ({@code a <seq>}) after {@code store()} returned, and every tenth
 * message removes the one five sequences earlier, printing {@code d <seq>} after {@code remove()} returned;
 * every 25th also removes one from half-way back (from the second round on, in a block the open
 * left unloaded, so the removal loads it first).
 * The parent kills it with SIGKILL at an arbitrary moment. Arguments: directory, block size,
 * compression ({@code none} or {@code s2}).
 */
public final class CrashWriter {

    private CrashWriter() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int blockSize = Integer.parseInt(args[1]);
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.US_ASCII);
        StoreConfig config = StoreConfig.builder("CRASH").blockSize(blockSize)
                .compression(StoreCompression.fromConfigName(args[2])).build();
        FileStore store = FileStore.open(dir, config);
        out.println("ready " + store.state().lastSeq());
        for (long i = 1; ; i++) {
            long seq = store.store(FileStoreRecoveryTest.subjectFor(i), FileStoreRecoveryTest.headersFor(i),
                    FileStoreRecoveryTest.payloadFor(i), 0).seq();
            out.println("a " + seq);
            if (i % 10 == 0) {
                // Announced first: a kill between the removal and its confirmation leaves the
                // message legitimately gone or present, and the test must accept either.
                out.println("r " + (seq - 5));
                if (store.remove(seq - 5)) out.println("d " + (seq - 5));
            }
            if (i % 25 == 0) {
                long old = seq / 2;
                out.println("r " + old);
                if (store.remove(old)) out.println("d " + old);
            }
        }
    }
}

package io.jnatsd.store;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;

/**
 * Compresses a file store's blocks as they are sealed, when the stream's compression is on:
 * upstream compresses a block once the next one takes the appends, and leaves the blocks sealed
 * before compression was turned on as they are. A changed setting applies to blocks sealed
 * from then on.
 *
 * <p>The costly part runs on the store timer thread without the store's lock: read the sealed
 * file, compress it, write {@code <n>.seal.tmp} and fsync it. Only the rename over the block
 * file takes the write lock, and it is dropped if the block changed meanwhile (an erase, a
 * compaction, a truncate or its deletion bump {@link MessageBlock#generation}); the block is
 * then queued again if it is still sealed and plain. Appends go on while a block compresses.
 *
 * <p>Close compresses what is still queued, so a clean shutdown leaves every block sealed with
 * compression on compressed; a crash can leave the last such block plain, which reads the same.
 */
final class BlockCompressor {

    private static final String ASIDE_SUFFIX = ".seal.tmp";

    private final FileStore fs;
    /** Sealed blocks waiting; guarded by the store's write lock. A block leaves once handled. */
    private final ArrayDeque<MessageBlock> queue = new ArrayDeque<>();
    private boolean scheduled;
    /**
     * Held while a compressed file is written without the store's lock. Close and delete (which
     * hold the lock and have set the store closed) take it to wait for that write; no new one
     * starts once the store is closed.
     */
    private final Object writing = new Object();

    BlockCompressor(FileStore fs) {
        this.fs = fs;
    }

    /** Block {@code b} stopped being the tail. Called with the write lock held. */
    void sealed(MessageBlock b) {
        if (fs.config.compression() != StoreCompression.S2 || b.compressed) {
            return;
        }
        queue.add(b);
        if (!scheduled) {
            scheduled = true;
            StoreScheduler.schedule(this::compressQueued, 0);
        }
    }

    private boolean eligible(MessageBlock b) {
        return !b.compressed && b != fs.tail && b.size > 0 && fs.blocks.contains(b);
    }

    private void compressQueued() {
        while (true) {
            MessageBlock b;
            int generation;
            int size;
            fs.lock.writeLock().lock();
            try {
                while (!queue.isEmpty() && !eligible(queue.peek())) {
                    queue.poll();
                }
                if (fs.closed || queue.isEmpty()) {
                    scheduled = false;
                    return;
                }
                b = queue.peek();
                generation = b.generation;
                size = (int) b.size;
            } finally {
                fs.lock.writeLock().unlock();
            }
            compressOffLock(b, generation, size);
        }
    }

    private static Path asideOf(MessageBlock b) {
        return b.file.resolveSibling(b.id + ASIDE_SUFFIX);
    }

    private void compressOffLock(MessageBlock b, int generation, int size) {
        Path aside = asideOf(b);
        boolean installed = false;
        try {
            byte[] content = readSealed(b.file, size);
            ChunkFormat.Encoded encoded = ChunkFormat.encode(content, size);
            synchronized (writing) {
                if (fs.closed) {
                    return;
                }
                MessageBlock.writeAside(aside, encoded.bytes(), encoded.length());
            }
            installed = install(b, generation, aside);
            if (installed) {
                AtomicFiles.syncDirectory(b.file.getParent());
            }
        } catch (NoSuchFileException | EOFException deletedOrCutMeanwhile) {
            // Deleted or truncated (then it is the tail): not to be compressed, nothing to report.
            dropFromQueue(b);
        } catch (IOException | RuntimeException e) {
            // The block stays plain, which reads the same; the next sealed blocks still compress.
            dropFromQueue(b);
            StoreScheduler.report(new StoreException("cannot compress " + b.file, e));
        } finally {
            if (!installed) {
                deleteQuietly(aside);
            }
        }
    }

    private boolean install(MessageBlock b, int generation, Path aside) throws IOException {
        fs.lock.writeLock().lock();
        try {
            if (fs.closed || !eligible(b) || b.generation != generation) {
                // Changed meanwhile: it stays queued while it is still sealed and plain.
                return false;
            }
            b.install(aside, true);
            queue.remove(b);
            return true;
        } finally {
            fs.lock.writeLock().unlock();
        }
    }

    private void dropFromQueue(MessageBlock b) {
        fs.lock.writeLock().lock();
        try {
            queue.remove(b);
        } finally {
            fs.lock.writeLock().unlock();
        }
    }

    private static byte[] readSealed(Path file, int size) throws IOException {
        byte[] content = new byte[size];
        ByteBuffer dst = ByteBuffer.wrap(content);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (dst.hasRemaining()) {
                if (ch.read(dst, dst.position()) < 0) {
                    throw new EOFException(file.toString());
                }
            }
        }
        return content;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // A leftover .tmp is deleted when the store opens next.
        }
    }

    /**
     * At close, with the write lock held and the store marked closed: compresses the queued
     * blocks here, after the background's file in progress (which it will not install now).
     */
    void drain() throws IOException {
        stopBackground();
        for (MessageBlock b : queue) {
            if (eligible(b)) {
                b.replaceContent(b.readContent(), (int) b.size, true);
            }
        }
        queue.clear();
    }

    /** At delete, with the write lock held and the store marked closed: forgets the queue. */
    void cancel() {
        stopBackground();
        queue.clear();
    }

    /**
     * Waits for a compressed file being written in the background and deletes it: the store is
     * closed, so it will not be installed, and the store's directory must be left without it.
     * The block being compressed is still at the head of the queue.
     */
    private void stopBackground() {
        synchronized (writing) {
            for (MessageBlock b : queue) {
                deleteQuietly(asideOf(b));
            }
        }
    }
}

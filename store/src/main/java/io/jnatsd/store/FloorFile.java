package io.jnatsd.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * {@code msgs/floor.dat}: every sequence at or below the floor is gone for good, and the last
 * sequence is at least the floor. Purge, compact and first_seq set it; it is what lets a purge
 * delete every block and still restart at the right sequence. 24 bytes, little-endian: magic
 * "JFL1", floor, the last timestamp at the time, CRC32C of the first 20 bytes. Replaced
 * atomically.
 */
final class FloorFile {

    static final String NAME = "floor.dat";
    private static final int MAGIC = 0x314C464A;

    private FloorFile() {
    }

    /** Floor and last timestamp; zeros when there is no file. */
    static long[] read(Path msgsDir) throws IOException {
        Path f = msgsDir.resolve(NAME);
        if (!Files.exists(f)) {
            return new long[] {0, 0};
        }
        byte[] all = Files.readAllBytes(f);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        CRC32C crc = new CRC32C();
        if (all.length != 24 || b.getInt(0) != MAGIC) {
            throw new StoreException(f + ": not a floor file");
        }
        crc.update(all, 0, 20);
        if ((int) crc.getValue() != b.getInt(20)) {
            throw new StoreException(f + ": checksum mismatch");
        }
        return new long[] {b.getLong(4), b.getLong(12)};
    }

    static void write(Path msgsDir, long floor, long lastTime, boolean fsync) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putLong(floor).putLong(lastTime);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 20);
        b.putInt((int) crc.getValue());
        AtomicFiles.write(msgsDir.resolve(NAME), b.array(), fsync);
    }
}

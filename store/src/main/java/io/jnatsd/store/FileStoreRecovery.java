package io.jnatsd.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reading whole blocks: the recovery scan on open, cutting a block for a truncate, and
 * rewriting a block without its removed records. Runs with the store's write lock held.
 *
 * <p>The scan checks every record's magic, lengths and checksum. At a bad record it looks for
 * the next offset where an intact record starts (magic, consistent lengths, checksum) and goes
 * on from there, so one damaged record never hides the ones after it. What the damaged bytes
 * held is inferred from the record's own header when that still makes sense (the sequence fits
 * between the intact neighbours and its length reaches exactly the next intact record), else
 * from the gap between the neighbours' sequences, minus sequences already removed. Damage that
 * runs to the end of the last block is a torn write: it is cut off.
 *
 * <p>A compressed block is scanned as its content: the intact chunks decompressed in place,
 * zeros where a damaged chunk was, so the same search finds the records after the damage and
 * the same inference names what was lost. Offsets in the report are content offsets. A
 * compressed file is complete when renamed into place, so damage at its end is loss, not a
 * torn write, and the file is left as it is.
 */
final class FileStoreRecovery {

    private final FileStore fs;
    private final CRC32C crc = new CRC32C();
    private final List<RecoveryReport.Lost> lost = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private long tornBytes;
    /** Reused to read plain block files. */
    private ByteBuffer direct = ByteBuffer.allocateDirect(0).order(ByteOrder.LITTLE_ENDIAN);
    /** The content of the block being scanned: {@link #direct}, or a compressed block's decoded content. */
    private ByteBuffer buf = direct;

    /** Damage at the end of a block whose sequences are bounded by the next record found. */
    private final List<long[]> openLost = new ArrayList<>();

    private byte[] lastSubjectBytes = new byte[0];
    private String lastSubject;
    private SubjectTable.Subject lastSubjectEntry;

    FileStoreRecovery(FileStore fs) {
        this.fs = fs;
    }

    // ---- scan on open -------------------------------------------------------------------------

    RecoveryReport scan(List<MessageBlock> blocks) throws IOException {
        long prevSeq = 0;
        for (int i = 0; i < blocks.size(); i++) {
            prevSeq = scanBlock(blocks.get(i), i == blocks.size() - 1, prevSeq);
        }
        for (long[] open : openLost) {
            // Damage at the very end with nothing after it: at least the next sequence.
            addLost((int) open[0], open[1], open[2], open[3], open[3], null);
            notes.add("block " + open[0] + ": sequences after " + (open[3] - 1) + " may be lost");
        }
        return new RecoveryReport(false, blocks.size(), fs.index.size(), lost, tornBytes, notes);
    }

    private long scanBlock(MessageBlock b, boolean lastBlock, long prevSeq) throws IOException {
        long[] deletes = mergeRanges(b.readDeletes(crc));
        long size = Files.size(b.file);
        if (size > MessageBlock.MAX_CONTENT) {
            throw new StoreException(b.file + " is too large to recover: " + size + " bytes");
        }
        int end = readContent(b, (int) size);
        int pos = 0;
        int deleteCursor = 0;
        while (pos < end) {
            int len = RecordFormat.validLength(buf, pos, end, crc);
            if (len > 0) {
                long seq = buf.getLong(pos + RecordFormat.OFF_SEQ);
                if (seq <= prevSeq) {
                    notes.add("block " + b.id + " offset " + pos + ": sequence " + seq + " out of order, skipped");
                    pos += len;
                    continue;
                }
                closeOpenLost(seq);
                while (deleteCursor < deletes.length && deletes[deleteCursor + 1] < seq) {
                    deleteCursor += 2;
                }
                boolean deleted = deleteCursor < deletes.length && deletes[deleteCursor] <= seq;
                addRecord(b, pos, len, seq, deleted);
                prevSeq = seq;
                pos += len;
                continue;
            }
            int next = findNextValid(pos + 1, end);
            if (next < 0) {
                damageToEnd(b, lastBlock && !b.compressed, pos, end, prevSeq, deletes);
                end = pos;
                break;
            }
            damageBetween(b, pos, next, prevSeq, deletes);
            pos = next;
        }
        b.size = end;
        return prevSeq;
    }

    private void addRecord(MessageBlock b, int pos, int len, long seq, boolean deleted) {
        long ts = buf.getLong(pos + RecordFormat.OFF_TIMESTAMP);
        if (b.firstSeq == 0) {
            b.firstSeq = seq;
        }
        b.lastSeq = seq;
        b.lastTimestamp = ts;
        if (!RecordFormat.isLiveMessage(buf, pos) || deleted || seq <= fs.floor) {
            return;
        }
        if (!fs.index.canPut(seq)) {
            notes.add("block " + b.id + ": sequence " + seq + " too far from the others, skipped");
            return;
        }
        int subjectLength = RecordFormat.subjectLength(buf, pos);
        SubjectTable.Subject s = subjectAt(pos + RecordFormat.headerSize(buf, pos), subjectLength);
        int lenField = RecordFormat.lenField(buf, pos, len);
        fs.entries.add(seq, pos, lenField, s.name, s, b, ts, RecordFormat.ttl(buf, pos));
        b.live++;
        b.liveBytes += len;
        fs.bytes += RecordFormat.accountedSize(lenField);
    }

    /** The subject at {@code at}; consecutive records mostly share one, so the last is cached. */
    private SubjectTable.Subject subjectAt(int at, int length) {
        boolean same = length == lastSubjectBytes.length && lastSubjectEntry != null;
        for (int i = 0; same && i < length; i++) {
            same = buf.get(at + i) == lastSubjectBytes[i];
        }
        if (!same) {
            byte[] bytes = new byte[length];
            buf.get(at, bytes);
            boolean ascii = true;
            for (byte x : bytes) {
                ascii &= x >= 0;
            }
            lastSubject = new String(bytes, ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
            lastSubjectBytes = bytes;
            SubjectTable.Subject s = fs.subjects.get(lastSubject);
            lastSubjectEntry = s != null ? s : fs.subjects.add(lastSubject);
        }
        return lastSubjectEntry;
    }

    private int findNextValid(int from, int end) {
        for (int o = from; o + RecordFormat.OVERHEAD <= end; o++) {
            if (RecordFormat.mayStart(buf, o, end) && RecordFormat.validLength(buf, o, end, crc) > 0) {
                return o;
            }
        }
        return -1;
    }

    /** The sequence a damaged record's header claims, if it is believable; else 0. */
    private long claimedSeq(int pos, int end, long prevSeq) {
        if (end - pos < RecordFormat.HEADER_SIZE || !RecordFormat.mayStart(buf, pos, end)) {
            return 0;
        }
        long seq = buf.getLong(pos + RecordFormat.OFF_SEQ);
        return seq > prevSeq ? seq : 0;
    }

    private void damageBetween(MessageBlock b, int pos, int next, long prevSeq, long[] deletes) {
        long nextSeq = buf.getLong(next + RecordFormat.OFF_SEQ);
        long claimed = claimedSeq(pos, next, prevSeq);
        int claimedLength = claimed > 0 ? buf.getInt(pos + RecordFormat.OFF_LENGTH) : -1;
        notes.add("block " + b.id + ": " + (next - pos) + " damaged bytes at offset " + pos);
        if (claimed > 0 && claimed < nextSeq && pos + claimedLength == next) {
            addLost(b.id, pos, next - pos, claimed, claimed, deletes);
        } else if (prevSeq + 1 <= nextSeq - 1) {
            addLost(b.id, pos, next - pos, prevSeq + 1, nextSeq - 1, deletes);
        }
    }

    private void damageToEnd(MessageBlock b, boolean lastBlock, int pos, int end, long prevSeq, long[] deletes)
            throws IOException {
        long claimed = claimedSeq(pos, end, prevSeq);
        if (lastBlock) {
            tornBytes += end - pos;
            notes.add("block " + b.id + ": torn tail of " + (end - pos) + " bytes at offset " + pos + " cut"
                    + (claimed > 0 ? " (sequence " + claimed + ", never acknowledged)" : ""));
        } else {
            notes.add("block " + b.id + ": content damaged from offset " + pos + " to the end, "
                    + (b.compressed ? "with its compressed chunks" : "cut"));
            if (claimed > 0) {
                addLost(b.id, pos, end - pos, claimed, claimed, deletes);
            } else {
                openLost.add(new long[] {b.id, pos, end - pos, prevSeq + 1});
            }
        }
        if (!b.compressed) {
            try (FileChannel ch = FileChannel.open(b.file, StandardOpenOption.WRITE)) {
                ch.truncate(pos);
            }
        }
    }

    private void closeOpenLost(long seq) {
        for (long[] open : openLost) {
            if (open[3] <= seq - 1) {
                addLost((int) open[0], open[1], open[2], open[3], seq - 1, null);
            }
        }
        openLost.clear();
    }

    /** Records the lost sequences in [first, last], leaving out removed ones and the floor. */
    private void addLost(int block, long offset, long length, long first, long last, long[] deletes) {
        long from = Math.max(first, fs.floor + 1);
        for (int i = 0; deletes != null && i < deletes.length && from <= last; i += 2) {
            if (deletes[i + 1] < from) {
                continue;
            }
            if (deletes[i] > from) {
                lost.add(new RecoveryReport.Lost(block, offset, length, from, Math.min(last, deletes[i] - 1)));
            }
            from = Math.max(from, deletes[i + 1] + 1);
        }
        if (from <= last) {
            lost.add(new RecoveryReport.Lost(block, offset, length, from, last));
        }
    }

    /** Sorts (first, last) pairs and merges overlapping or adjacent ones. */
    static long[] mergeRanges(long[] pairs) {
        int n = pairs.length / 2;
        if (n <= 1) {
            return pairs;
        }
        long[][] r = new long[n][];
        for (int i = 0; i < n; i++) {
            r[i] = new long[] {pairs[2 * i], pairs[2 * i + 1]};
        }
        Arrays.sort(r, (a, c) -> Long.compare(a[0], c[0]));
        long[] out = new long[pairs.length];
        int m = 0;
        for (long[] x : r) {
            if (m > 0 && x[0] <= out[m - 1] + 1) {
                out[m - 1] = Math.max(out[m - 1], x[1]);
            } else {
                out[m++] = x[0];
                out[m++] = x[1];
            }
        }
        return Arrays.copyOf(out, m);
    }

    /**
     * Puts block {@code b}'s content in {@link #buf} and returns its length; notes whether the
     * file is compressed. A file whose first bytes are neither a record nor a frame (damage at
     * its very start) counts as compressed when an intact frame follows.
     */
    private int readContent(MessageBlock b, int size) throws IOException {
        int end = readWhole(b.file, size);
        int first = end >= 4 ? direct.getInt(0) : 0;
        if (end == 0 || RecordFormat.startsRecord(first)) {
            b.compressed = false;
            return end;
        }
        byte[] file = new byte[end];
        direct.get(0, file);
        if (!ChunkFormat.startsCompressed(first) && !ChunkDirectory.hasFrame(file, end, crc)) {
            b.compressed = false;
            return end;
        }
        ChunkDirectory chunks = ChunkDirectory.parse(file, end, crc);
        b.setCompressed(chunks);
        if (chunks.damagedBytes > 0) {
            notes.add("block " + b.id + ": " + chunks.damagedBytes + " damaged bytes of compressed chunks");
        }
        byte[] content = chunks.content(file);
        if (chunks.damagedAtEnd) {
            // How much content the damaged end held is unknown: a byte that is no record makes
            // the scan treat it as damage to the end, and report the sequences up to the next record.
            content = Arrays.copyOf(content, content.length + 1);
        }
        buf = ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN);
        return content.length;
    }

    private int readWhole(Path file, int size) throws IOException {
        if (direct.capacity() < size) {
            direct = ByteBuffer.allocateDirect(Math.max(size, 64 * 1024)).order(ByteOrder.LITTLE_ENDIAN);
        }
        buf = direct;
        buf.clear().limit(size);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) {
                    break;
                }
            }
        }
        int end = buf.position();
        buf.clear();
        return end;
    }

    // ---- lazy load without an index file ------------------------------------------------------

    /**
     * Puts block {@code b}'s live messages into the index by reading the block, for a block
     * left out by the open whose index file turned out missing or damaged. The subjects'
     * counts already include these messages (the summary said so); their links to the same
     * subject's messages in other blocks are found by looking there, which loads those blocks.
     * Records that no longer read (damage since the close) are skipped and noted.
     */
    void reindexBlock(MessageBlock b) {
        long[] entries;
        int n = 0;
        try {
            long[] deletes = mergeRanges(b.readDeletes(crc));
            int end = readContent(b, (int) Math.min(Files.size(b.file), MessageBlock.MAX_CONTENT));
            entries = new long[(int) Math.min(Math.max(b.live, 1), 1 << 20) * 4];
            int pos = 0;
            int deleteCursor = 0;
            while (pos < end) {
                int len = RecordFormat.validLength(buf, pos, end, crc);
                if (len < 0) {
                    int next = findNextValid(pos + 1, end);
                    notes.add("block " + b.id + ": damaged bytes at offset " + pos + " found on load");
                    if (next < 0) {
                        break;
                    }
                    pos = next;
                    continue;
                }
                long seq = buf.getLong(pos + RecordFormat.OFF_SEQ);
                while (deleteCursor < deletes.length && deletes[deleteCursor + 1] < seq) {
                    deleteCursor += 2;
                }
                boolean deleted = deleteCursor < deletes.length && deletes[deleteCursor] <= seq;
                if (!deleted && seq > fs.floor && seq >= b.firstSeq && seq <= b.lastSeq
                        && RecordFormat.isLiveMessage(buf, pos)) {
                    byte[] name = new byte[RecordFormat.subjectLength(buf, pos)];
                    buf.get(pos + RecordFormat.headerSize(buf, pos), name);
                    SubjectTable.Subject s = fs.subjects.get(new String(name, StandardCharsets.UTF_8));
                    if (s != null && s.first <= seq && seq <= s.last) {
                        if ((n + 1) * 4 > entries.length) {
                            entries = Arrays.copyOf(entries, entries.length * 2);
                        }
                        entries[n * 4] = seq;
                        entries[n * 4 + 1] = pos;
                        entries[n * 4 + 2] = RecordFormat.lenField(buf, pos, len);
                        entries[n * 4 + 3] = s.id;
                        n++;
                    }
                }
                pos += len;
            }
        } catch (IOException e) {
            throw new StoreException("cannot read " + b.file + " to load its index", e);
        }
        SequenceIndex index = fs.index;
        for (int k = 0; k < n; k++) {
            index.restore(entries[k * 4], entries[k * 4 + 1], (int) entries[k * 4 + 2], (int) entries[k * 4 + 3], 0, 0,
                    b);
        }
        // Links: within the block from one message of a subject to the next; at the block's
        // edges, to the subject's nearest message in the blocks around it.
        java.util.HashMap<Integer, Long> lastInBlock = new java.util.HashMap<>();
        for (int k = 0; k < n; k++) {
            long seq = entries[k * 4];
            SubjectTable.Subject s = fs.subjects.byId((int) entries[k * 4 + 3]);
            Long before = lastInBlock.put(s.id, seq);
            if (before != null) {
                index.setNext(before, seq);
                index.setPrev(seq, before);
            } else if (s.first < seq) {
                long prev = index.prevWithSubject(seq - 1, s.first, s.id);
                if (prev > 0) {
                    index.setPrev(seq, prev);
                    index.setNext(prev, seq);
                }
            }
        }
        for (var e : lastInBlock.entrySet()) {
            SubjectTable.Subject s = fs.subjects.byId(e.getKey());
            long seq = e.getValue();
            if (s.last > seq) {
                long next = index.nextWithSubject(seq + 1, s.last, s.id);
                if (next > 0) {
                    index.setNext(seq, next);
                    index.setPrev(next, seq);
                }
            }
        }
        if (n != b.live) {
            notes.add("block " + b.id + ": " + n + " of " + b.live + " messages found on load");
        }
        b.indexChanged = true; // its index file is the damaged one: the next close replaces it
    }

    // ---- truncate -----------------------------------------------------------------------------

    /**
     * Cuts block {@code b} right after its last record at or below {@code seq}, and rewrites its
     * delete log without entries above {@code seq} (those sequences will be used again).
     */
    void cutBlock(MessageBlock b, long seq) throws IOException {
        int end = readContent(b, (int) Math.min(Files.size(b.file), MessageBlock.MAX_CONTENT));
        int pos = 0;
        int cut = 0;
        long keptFirst = 0;
        long keptLast = 0;
        long keptTime = 0;
        while (pos < end) {
            int len = RecordFormat.validLength(buf, pos, end, crc);
            if (len < 0) {
                int next = findNextValid(pos + 1, end);
                if (next < 0) {
                    break;
                }
                pos = next;
                continue;
            }
            long s = buf.getLong(pos + RecordFormat.OFF_SEQ);
            if (s > seq) {
                break;
            }
            if (keptFirst == 0) {
                keptFirst = s;
            }
            keptLast = s;
            keptTime = buf.getLong(pos + RecordFormat.OFF_TIMESTAMP);
            pos += len;
            cut = pos;
        }
        if (b.compressed) {
            // It becomes the tail, where appends go: plain again, as upstream writes it back.
            byte[] kept = new byte[cut];
            buf.get(0, kept);
            b.replaceContent(kept, cut, false);
        } else {
            b.truncateFile(cut);
        }
        b.size = cut;
        b.firstSeq = keptFirst;
        b.lastSeq = keptLast;
        b.lastTimestamp = keptTime;
        b.dirty = true;
        long[] ranges = b.readDeletes(crc);
        ByteBuffer out = ByteBuffer.allocate(ranges.length / 2 * MessageBlock.DELETE_ENTRY_SIZE)
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < ranges.length; i += 2) {
            if (ranges[i] <= seq) {
                MessageBlock.putDeleteEntry(out, crc, ranges[i], Math.min(ranges[i + 1], seq));
            }
        }
        b.closeChannels();
        if (out.position() == 0) {
            Files.deleteIfExists(b.deletesFile);
        } else {
            AtomicFiles.write(b.deletesFile, Arrays.copyOf(out.array(), out.position()), fs.config.syncAlways());
        }
        b.deletesSize = out.position();
        b.indexChanged = true;
    }

    // ---- compaction ---------------------------------------------------------------------------

    /**
     * Rewrites block {@code b} with only its live records ({@link MessageBlock#replaceContent}),
     * compressed if the stream's compression is on now, as upstream's compaction does; then its
     * delete log, now applied, is deleted.
     */
    void rewriteBlock(MessageBlock b) throws IOException {
        byte[] old = b.readContent();
        byte[] out = new byte[(int) b.liveBytes];
        long[] seqs = new long[(int) b.live];
        long[] locs = new long[(int) b.live];
        int n = 0;
        int at = 0;
        SequenceIndex index = fs.index;
        for (long s = index.nextLive(b.firstSeq, b.lastSeq); s >= 0; s = index.nextLive(s + 1, b.lastSeq)) {
            SequenceIndex.Page p = index.page(s);
            int i = SequenceIndex.slot(s);
            if (p.ref[i] != b) {
                continue;
            }
            int len = p.len[i] & RecordFormat.LEN_MASK;
            System.arraycopy(old, (int) p.loc[i], out, at, len);
            seqs[n] = s;
            locs[n] = at;
            n++;
            at += len;
        }
        if (n != b.live || at != b.liveBytes) {
            throw new IllegalStateException("block " + b.id + " accounting is off: " + n + " records of " + b.live
                    + ", " + at + " bytes of " + b.liveBytes);
        }
        b.replaceContent(out, at, fs.config.compression() == StoreCompression.S2);
        for (int k = 0; k < n; k++) {
            index.relocate(seqs[k], locs[k]);
        }
        b.firstSeq = seqs[0];
        b.lastSeq = seqs[n - 1];
        b.deleteDeletesFile();
    }
}

package io.jnatsd.store;

import java.util.List;

/**
 * What {@link FileStore} found when it opened: whether it loaded the index snapshot or scanned
 * the blocks, and any damage. A torn tail (the last record of the last block cut short or
 * failing its checksum: a write in progress when the process died) is cut off and counted in
 * {@code tornTailBytes}; such a message was never acknowledged. Damage anywhere else loses
 * messages that were stored: they are listed in {@code lost}, and every intact record after the
 * damage is still recovered.
 *
 * @param usedIndexSnapshot true if state came from the summary {@code index.db} (blocks then load lazily), false if from a scan
 * @param blocks            message blocks found
 * @param messages          live messages recovered
 * @param lost              damaged regions and the sequences they held
 * @param tornTailBytes     bytes cut from the end of the last block
 * @param notes             human-readable details of anything unusual
 */
public record RecoveryReport(boolean usedIndexSnapshot, int blocks, long messages, List<Lost> lost,
                             long tornTailBytes, List<String> notes) {

    public RecoveryReport {
        lost = List.copyOf(lost);
        notes = List.copyOf(notes);
    }

    /**
     * A damaged region of a block and the sequences it held: exactly the damaged record's
     * sequence when its header was still readable, otherwise every sequence between the intact
     * neighbours that was not already deleted.
     */
    public record Lost(int block, long offset, long length, long firstSeq, long lastSeq) {
    }

    /** Every lost sequence, ascending. */
    public long[] lostSequences() {
        return lost.stream().flatMapToLong(l -> java.util.stream.LongStream.rangeClosed(l.firstSeq(), l.lastSeq()))
                .sorted().distinct().toArray();
    }

    /** True if nothing was lost or cut. */
    public boolean clean() {
        return lost.isEmpty() && tornTailBytes == 0;
    }
}

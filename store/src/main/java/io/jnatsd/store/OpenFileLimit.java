package io.jnatsd.store;

import java.util.ArrayDeque;
import java.util.function.Predicate;

/**
 * Bounds how many block files one store keeps open. A block's channel opens on first use; when
 * more than {@code max} are open, the one opened longest ago (other than those the predicate
 * protects: the tail) is closed. A reader caught mid-read by the close retries and reopens
 * ({@link MessageBlock}), so this costs at most an extra open, never an error.
 */
final class OpenFileLimit {

    private final int max;
    private final Predicate<MessageBlock> protectedBlock;
    private final ArrayDeque<MessageBlock> open = new ArrayDeque<>();

    OpenFileLimit(int max, Predicate<MessageBlock> protectedBlock) {
        this.max = max;
        this.protectedBlock = protectedBlock;
    }

    /** Called by a block that just opened its channel. */
    void opened(MessageBlock b) {
        MessageBlock evict = null;
        synchronized (this) {
            open.remove(b);
            open.addLast(b);
            if (open.size() > max) {
                for (MessageBlock candidate : open) {
                    if (candidate != b && !protectedBlock.test(candidate)) {
                        evict = candidate;
                        break;
                    }
                }
                if (evict != null) {
                    open.remove(evict);
                }
            }
        }
        if (evict != null) {
            evict.closeChannels();
        }
    }

    /** Called by a block that closed its channels. */
    synchronized void closed(MessageBlock b) {
        open.remove(b);
    }

    synchronized int openCount() {
        return open.size();
    }
}

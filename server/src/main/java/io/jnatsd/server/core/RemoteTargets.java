package io.jnatsd.server.core;

/**
 * The remote servers one published message goes to, each once, with the queue groups each
 * must serve (upstream's route targets). Filled while the router walks a match and emptied
 * when the copies are sent; one per publisher, reused.
 */
final class RemoteTargets {
    private RemoteSubscriber[] targets = new RemoteSubscriber[4];
    private QueueNames[] queues = new QueueNames[4];
    private int count;

    int count() {
        return count;
    }

    RemoteSubscriber target(int i) {
        return targets[i];
    }

    /** The queue groups target {@code i} must serve, or null for none. */
    QueueNames queues(int i) {
        QueueNames q = queues[i];
        return q == null || q.count() == 0 ? null : q;
    }

    /** Adds {@code target} once; {@code queue}'s group (null for a plain subscription) joins its list. */
    void add(RemoteSubscriber target, Subscription queue) {
        int i = 0;
        while (i < count && targets[i] != target) i++;
        if (i == count) {
            if (count == targets.length) grow();
            targets[count++] = target;
        }
        if (queue != null) {
            QueueNames q = queues[i];
            if (q == null) queues[i] = q = new QueueNames();
            q.add(queue.queue(), queue.queueBytes());
        }
    }

    void clear() {
        for (int i = 0; i < count; i++) {
            targets[i] = null;
            if (queues[i] != null) queues[i].clear();
        }
        count = 0;
    }

    private void grow() {
        targets = java.util.Arrays.copyOf(targets, count * 2);
        queues = java.util.Arrays.copyOf(queues, count * 2);
    }
}

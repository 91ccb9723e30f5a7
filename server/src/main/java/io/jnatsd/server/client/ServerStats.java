package io.jnatsd.server.client;

import java.util.concurrent.atomic.LongAdder;

/** Server-wide message counters, updated from every event loop. */
public final class ServerStats {
    public final LongAdder inMsgs = new LongAdder();
    public final LongAdder inBytes = new LongAdder();
    public final LongAdder outMsgs = new LongAdder();
    public final LongAdder outBytes = new LongAdder();
    public final LongAdder slowConsumers = new LongAdder();
    public final LongAdder staleConnections = new LongAdder();
    public final LongAdder totalConnections = new LongAdder();
}

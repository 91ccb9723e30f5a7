package io.jnatsd.server.client;

import java.util.concurrent.atomic.LongAdder;

/**
 * Server-wide counters, updated from every event loop. Messages in are counted here once per
 * read batch; messages out are counted per connection (under the outbound lock already held to
 * encode them), and the server's totals are summed from the connections (see ClientRegistry).
 */
public final class ServerStats {
    public final LongAdder inMsgs = new LongAdder();
    public final LongAdder inBytes = new LongAdder();
    public final LongAdder slowConsumers = new LongAdder();
    public final LongAdder staleConnections = new LongAdder();
    public final LongAdder totalConnections = new LongAdder();
}

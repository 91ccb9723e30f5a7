package io.jnatsd.server.monitor;

/** Messages and bytes received from and sent to clients since the server started. */
public record MessageTotals(long inMsgs, long inBytes, long outMsgs, long outBytes) {
}

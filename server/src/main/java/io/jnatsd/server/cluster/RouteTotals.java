package io.jnatsd.server.cluster;

/** Messages and bytes every route received and sent, closed routes included (part of the server's /varz totals, as upstream counts them). */
public record RouteTotals(long inMsgs, long inBytes, long outMsgs, long outBytes) {}

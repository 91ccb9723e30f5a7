package io.jnatsd.server.leaf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jnatsd.server.conn.PeerJson;

/** The INFO and CONNECT lines of leaf node connections, as upstream's (leafnode.go, 2.9). */
final class LeafJson {
    private LeafJson() {}

    /** {@code OP {...}\r\n}, with the blank upstream writes before the line end of an INFO. */
    static byte[] line(String op, ObjectNode o) {
        return PeerJson.line(op, o, op.equals("INFO") ? " \r\n" : "\r\n");
    }
}

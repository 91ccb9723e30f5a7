package io.jnatsd.server.jetstream.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.jnatsd.raft.RaftPeerAddress;
import io.jnatsd.server.jetstream.stream.StreamConfig;
import java.util.List;

/**
 * Where the meta group placed a stream (upstream's streamAssignment): its config, its Raft group
 * and that group's members. {@code reply} is where the create request waits for its answer,
 * which the stream's first leader sends.
 */
record StreamAssignment(@JsonProperty("account") String account,
                        @JsonProperty("config") StreamConfig config,
                        @JsonProperty("group") String group,
                        @JsonProperty("peers") List<RaftPeerAddress> peers,
                        @JsonProperty("created") String created,
                        @JsonProperty("reply") String reply) {

    String name() {
        return config.name;
    }

    boolean hasPeer(String server) {
        for (RaftPeerAddress p : peers) {
            if (p.id().equals(server)) return true;
        }
        return false;
    }

    List<String> peerNames() {
        return peers.stream().map(RaftPeerAddress::id).toList();
    }

    StreamAssignment withConfig(StreamConfig c) {
        return new StreamAssignment(account, c, group, peers, created, null);
    }
}

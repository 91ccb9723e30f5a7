package io.jnatsd.server.jetstream.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.jnatsd.server.jetstream.common.EntryLog;
import io.jnatsd.server.jetstream.common.JsJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/** One change the meta group commits: a stream placed, reconfigured or removed. JSON in the log, as upstream's meta entries are. */
record MetaEntry(@JsonProperty("op") Op op, @JsonProperty("stream") StreamAssignment stream) {
    enum Op { ADD_STREAM, UPDATE_STREAM, DELETE_STREAM }

    static final EntryLog.Codec<MetaEntry> CODEC = new EntryLog.Codec<>() {
        @Override
        public byte[] encode(MetaEntry e) {
            try {
                return JsJson.JSON.writeValueAsBytes(e);
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }

        @Override
        public MetaEntry decode(ByteBuffer in) {
            byte[] b = new byte[in.remaining()];
            in.get(b);
            try {
                return JsJson.JSON.readValue(b, MetaEntry.class);
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
    };
}

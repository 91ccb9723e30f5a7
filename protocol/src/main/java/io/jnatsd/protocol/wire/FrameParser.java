package io.jnatsd.protocol.wire;

import io.netty.buffer.ByteBuf;

/**
 * What the client and route parsers share: a resumable loop over a cumulative read buffer that
 * consumes only complete frames, a frame whose control line is parsed waiting for its payload
 * (positions kept relative to the reader index, so the caller may compact the buffer in
 * between), and stop and pause.
 */
public abstract class FrameParser {
    /** The longest control line accepted. */
    protected int maxControlLine;
    /** The largest headers plus payload accepted (max_payload, or a user's smaller limit). */
    protected int maxPayload;
    /** Where the operation name being recognized ends (scratch between recognition and parsing). */
    protected int scanPos;
    protected boolean stopped;
    /** Where the buffer handed to the current {@link #parse} call began (error texts count from it). */
    protected int readStart;
    protected boolean paused;
    /** A message's control line is parsed and its payload has not fully arrived. */
    protected boolean awaitingPayload;
    /** Where that payload starts, from the frame start (the reader index). */
    protected int pendingDataOffset;
    /** Its headers plus payload size. */
    protected int pendingTotal;

    protected FrameParser(int maxControlLine, int maxPayload) {
        this.maxControlLine = maxControlLine;
        this.maxPayload = maxPayload;
    }

    /** A reloaded configuration's max_control_line, from the next control line on. */
    public final void setMaxControlLine(int maxControlLine) {
        this.maxControlLine = maxControlLine;
    }

    public final void setMaxPayload(int maxPayload) {
        this.maxPayload = maxPayload;
    }

    /** Parses one frame at the reader index; false when more bytes are needed or parsing stopped. */
    protected abstract boolean parseFrame(ByteBuf in);

    /** Finishes the message awaiting its payload; false when more bytes are needed or parsing stopped. */
    protected abstract boolean completePayload(ByteBuf in);

    /** Consumes every complete frame in {@code in}; leaves a partial one for the next call. */
    public final void parse(ByteBuf in) {
        readStart = in.readerIndex();
        while (!stopped && !paused && in.isReadable()) {
            if (awaitingPayload) {
                if (!completePayload(in)) return;
                continue;
            }
            if (!parseFrame(in)) return;
        }
    }

    /** Stops parsing: no further callbacks, now or later. */
    public final void stop() {
        stopped = true;
    }

    public final boolean isStopped() {
        return stopped;
    }

    /**
     * After {@link #parse} left a partial message in {@code in}: how many more bytes complete
     * it, when its control line is already parsed (payload and trailing CRLF); -1 when the
     * partial frame is still in its control line. Lets the caller copy only the bytes that
     * finish a split frame instead of the whole next read.
     */
    public final int bytesToCompleteFrame(ByteBuf in) {
        if (!awaitingPayload) return -1;
        return Math.max(1, pendingDataOffset + pendingTotal + 2 - in.readableBytes());
    }

    /**
     * Pauses parsing after the current operation (called from a callback): the rest of the
     * buffer stays unread until {@link #resume()} and the next {@link #parse} call.
     */
    public final void pause() {
        paused = true;
    }

    public final void resume() {
        paused = false;
    }

    public final boolean isPaused() {
        return paused;
    }

    /** Parsing goes on: neither stopped nor paused. */
    public final boolean isParsing() {
        return !stopped && !paused;
    }
}

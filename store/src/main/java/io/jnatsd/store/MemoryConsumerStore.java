package io.jnatsd.store;

import java.util.Objects;

/** A consumer's state kept in RAM, for memory streams. */
final class MemoryConsumerStore implements ConsumerStore {

    private final String name;
    private final AbstractStreamStore stream;
    private volatile ConsumerState state = ConsumerState.EMPTY;
    private volatile boolean closed;

    MemoryConsumerStore(String name, AbstractStreamStore stream) {
        this.name = name;
        this.stream = stream;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void update(ConsumerState newState) {
        Objects.requireNonNull(newState, "state");
        if (closed) {
            throw new IllegalStateException("consumer store " + name + " is closed");
        }
        state = newState;
    }

    @Override
    public ConsumerState state() {
        if (closed) {
            throw new IllegalStateException("consumer store " + name + " is closed");
        }
        return state;
    }

    @Override
    public void delete() {
        closed = true;
        state = ConsumerState.EMPTY;
        stream.forgetConsumer(name, this);
    }

    @Override
    public void close() {
        closed = true;
    }
}

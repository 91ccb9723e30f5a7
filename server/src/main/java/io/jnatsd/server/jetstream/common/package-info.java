/**
 * What every part of JetStream shares: upstream's API errors, Go time formats, header blocks (and the one-pass
 * read of the JetStream headers), the outbox of a writer's batch, the JSON mapper, and the {@code EntryLog} seam
 * between deciding a change and applying it. Imports nothing of JetStream.
 */
package io.jnatsd.server.jetstream.common;

package io.jnatsd.protocol.subject;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A snapshot of a {@link SubjectIndex} for {@code /subsz}, with upstream's field names.
 *
 * <p>Fan-out is measured over the cached results, as upstream does: plain subscribers plus
 * queue groups (a group counts once, since one member receives the message).
 * {@code cacheHits} and {@code totalFanout} are kept so that the stats of several accounts can
 * be summed with {@link #add}; they are not part of the JSON.
 */
public record SubjectIndexStats(
        @JsonProperty("num_subscriptions") long numSubscriptions,
        @JsonProperty("num_cache") long numCache,
        @JsonProperty("num_inserts") long numInserts,
        @JsonProperty("num_removes") long numRemoves,
        @JsonProperty("num_matches") long numMatches,
        @JsonProperty("cache_hit_rate") double cacheHitRate,
        @JsonProperty("max_fanout") long maxFanout,
        @JsonProperty("avg_fanout") double avgFanout,
        @JsonIgnore long cacheHits,
        @JsonIgnore long totalFanout) {

    public static final SubjectIndexStats ZERO = new SubjectIndexStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    static SubjectIndexStats of(long subs, long cached, long inserts, long removes, long matches,
                                long hits, long maxFanout, long totalFanout) {
        return new SubjectIndexStats(subs, cached, inserts, removes, matches,
                matches == 0 ? 0 : (double) hits / matches,
                maxFanout,
                cached == 0 ? 0 : (double) totalFanout / cached,
                hits, totalFanout);
    }

    /** The sum of two snapshots, with rates and averages recomputed from the totals. */
    public SubjectIndexStats add(SubjectIndexStats other) {
        return of(numSubscriptions + other.numSubscriptions,
                numCache + other.numCache,
                numInserts + other.numInserts,
                numRemoves + other.numRemoves,
                numMatches + other.numMatches,
                cacheHits + other.cacheHits,
                Math.max(maxFanout, other.maxFanout),
                totalFanout + other.totalFanout);
    }
}

package io.jnatsd.server.core;

import io.jnatsd.protocol.subject.SubjectTransform;
import io.jnatsd.protocol.subject.Subjects;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An account's subject mappings ({@code mappings { "src": "dest" }}, at the top level for the
 * global account or inside an account): a published subject matching a source is rewritten
 * before routing. A source may have weighted destinations; weights under 100% leave the rest
 * of the traffic on the original subject, unless the source itself is listed (then the rest
 * is dropped, as upstream). Immutable; the account swaps the whole set.
 */
public final class SubjectMappings {
    /** A configured destination: subject (with transform functions) and weight in percent. */
    public record Destination(String subject, int weight) {}

    private record Weighted(SubjectTransform transform, int cumulative) {}

    private record Mapping(String source, boolean wildcard, List<Weighted> destinations) {}

    private final List<Mapping> mappings;

    private SubjectMappings(List<Mapping> mappings) {
        this.mappings = mappings;
    }

    /** Builds mappings; throws IllegalArgumentException naming the problem. */
    public static final class Builder {
        private final List<Mapping> mappings = new ArrayList<>();

        public Builder add(String source, String destination) {
            return add(source, List.of(new Destination(destination, 100)));
        }

        public Builder add(String source, List<Destination> destinations) {
            if (!Subjects.isValidSubject(source)) throw new IllegalArgumentException("Subject \"" + source + "\" is not a valid subject");
            Set<String> seen = new HashSet<>();
            int total = 0;
            List<Destination> ds = new ArrayList<>();
            for (Destination d : destinations) {
                if (!seen.add(d.subject())) throw new IllegalArgumentException("duplicate entry for \"" + d.subject() + "\"");
                if (d.weight() > 100 || d.weight() < 0) throw new IllegalArgumentException("individual weights need to be <= 100");
                total += d.weight();
                if (total > 100) throw new IllegalArgumentException("total weight needs to be <= 100");
                SubjectTransform.validate(source, d.subject());
                ds.add(d);
            }
            if (total != 100 && !seen.contains(source)) {
                ds.add(new Destination(numberWildcards(source), ds.isEmpty() ? 100 : 100 - total));
            }
            ds.sort(Comparator.comparingInt(Destination::weight));
            List<Weighted> weighted = new ArrayList<>();
            int cumulative = 0;
            for (Destination d : ds) {
                cumulative += d.weight();
                weighted.add(new Weighted(SubjectTransform.create(source, d.subject()), cumulative));
            }
            mappings.add(new Mapping(source, !Subjects.isLiteral(source), List.copyOf(weighted)));
            return this;
        }

        public SubjectMappings build() {
            return mappings.isEmpty() ? null : new SubjectMappings(List.copyOf(mappings));
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code foo.*} becomes {@code foo.$1}: the original subject as a destination. */
    private static String numberWildcards(String subject) {
        String[] tokens = subject.split("\\.", -1);
        int n = 0;
        for (int i = 0; i < tokens.length; i++) if (tokens[i].equals("*")) tokens[i] = "$" + (++n);
        return String.join(".", tokens);
    }

    /** The subject {@code subject} is routed to: itself, another, or null when it is dropped. */
    public String map(String subject) {
        Mapping m = null;
        for (Mapping candidate : mappings) {
            if (candidate.wildcard ? Subjects.subjectMatchesFilter(subject, candidate.source) : candidate.source.equals(subject)) {
                m = candidate;
                break;
            }
        }
        if (m == null) return subject;
        List<Weighted> ds = m.destinations;
        Weighted chosen = null;
        if (ds.size() == 1 && ds.get(0).cumulative == 100) {
            chosen = ds.get(0);
        } else {
            int w = ThreadLocalRandom.current().nextInt(100);
            for (Weighted d : ds) {
                if (w < d.cumulative) {
                    chosen = d;
                    break;
                }
            }
        }
        return chosen == null ? null : chosen.transform.transform(subject);
    }
}

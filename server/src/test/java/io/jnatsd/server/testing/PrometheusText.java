package io.jnatsd.server.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4), for tests: it
 * rejects anything a Prometheus server would (bad names, bad label escapes, bad values, a
 * family's TYPE after its samples or twice, samples of one family not together) and returns
 * every sample.
 */
public final class PrometheusText {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");
    private static final String[] SUFFIXES = {"_total", "_created", "_count", "_sum", "_bucket", "_info"};

    /** One sample: metric name, labels (in order) and value. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples = new ArrayList<>();
    private final Map<String, String> types = new HashMap<>();

    private PrometheusText() {}

    public static PrometheusText parse(String text) {
        PrometheusText p = new PrometheusText();
        p.read(text);
        return p;
    }

    public List<Sample> samples() {
        return samples;
    }

    /** The declared TYPE of a family, or null. */
    public String type(String family) {
        return types.get(family);
    }

    /** The value of the one sample with this name whose labels include {@code labels}. */
    public double value(String name, Map<String, String> labels) {
        Sample found = null;
        for (Sample s : samples) {
            if (!s.name().equals(name) || !s.labels().entrySet().containsAll(labels.entrySet())) continue;
            if (found != null) throw new AssertionError("more than one sample " + name + labels);
            found = s;
        }
        if (found == null) throw new AssertionError("no sample " + name + labels);
        return found.value();
    }

    public boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name().equals(name));
    }

    private void read(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) fail(0, "exposition must end with a newline");
        Set<String> finished = new HashSet<>();
        Set<String> helped = new HashSet<>();
        String current = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            int n = i + 1;
            if (line.isEmpty()) continue;
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && parts[1].equals("TYPE")) {
                    String family = parts[2];
                    if (!NAME.matcher(family).matches()) fail(n, "bad metric name " + family);
                    String type = parts.length == 4 ? parts[3] : "";
                    if (!TYPES.contains(type)) fail(n, "bad type " + type);
                    if (types.containsKey(family)) fail(n, "TYPE given twice for " + family);
                    if (finished.contains(family) || family.equals(current)) fail(n, "TYPE after samples of " + family);
                    types.put(family, type);
                } else if (parts.length >= 3 && parts[1].equals("HELP")) {
                    if (!NAME.matcher(parts[2]).matches()) fail(n, "bad metric name " + parts[2]);
                    if (!helped.add(parts[2])) fail(n, "HELP given twice for " + parts[2]);
                }
                continue;
            }
            Sample s = sample(line, n);
            String family = family(s.name());
            if (!family.equals(current)) {
                if (finished.contains(family)) fail(n, "samples of " + family + " are not together");
                if (current != null) finished.add(current);
                current = family;
            }
            samples.add(s);
        }
    }

    /** The family a sample belongs to: its own name, or the declared one it is a suffix of. */
    private String family(String name) {
        if (types.containsKey(name)) return name;
        for (String suffix : SUFFIXES) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                if (types.containsKey(base)) return base;
            }
        }
        return name;
    }

    private Sample sample(String line, int n) {
        Matcher m = NAME.matcher(line);
        if (!m.lookingAt()) fail(n, "bad sample line: " + line);
        String name = m.group();
        int i = m.end();
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                if (i < line.length() && line.charAt(i) == '}') {
                    i++;
                    break;
                }
                Matcher lm = LABEL_NAME.matcher(line).region(i, line.length());
                if (!lm.lookingAt()) fail(n, "bad label name in: " + line);
                String label = lm.group();
                i = lm.end();
                if (i + 1 >= line.length() || line.charAt(i) != '=' || line.charAt(i + 1) != '"') fail(n, "bad label in: " + line);
                i += 2;
                StringBuilder v = new StringBuilder();
                while (true) {
                    if (i >= line.length()) fail(n, "unterminated label value: " + line);
                    char c = line.charAt(i++);
                    if (c == '"') break;
                    if (c == '\\') {
                        if (i >= line.length()) fail(n, "bad escape: " + line);
                        char e = line.charAt(i++);
                        switch (e) {
                            case '\\' -> v.append('\\');
                            case '"' -> v.append('"');
                            case 'n' -> v.append('\n');
                            default -> fail(n, "bad escape \\" + e + " in: " + line);
                        }
                    } else {
                        v.append(c);
                    }
                }
                if (labels.put(label, v.toString()) != null) fail(n, "label " + label + " twice: " + line);
                if (i < line.length() && line.charAt(i) == ',') i++;
                else if (i >= line.length() || line.charAt(i) != '}') fail(n, "bad label list: " + line);
            }
        }
        if (i >= line.length() || line.charAt(i) != ' ') fail(n, "no value: " + line);
        String[] rest = line.substring(i + 1).split(" ");
        if (rest.length < 1 || rest.length > 2) fail(n, "bad value/timestamp: " + line);
        double value = switch (rest[0]) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                if (!rest[0].matches("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?")) fail(n, "bad value: " + line);
                yield Double.parseDouble(rest[0]);
            }
        };
        if (rest.length == 2 && !rest[1].matches("-?[0-9]+")) fail(n, "bad timestamp: " + line);
        return new Sample(name, labels, value);
    }

    private static void fail(int line, String why) {
        throw new IllegalArgumentException("line " + line + ": " + why);
    }
}

package io.jnatsd.server.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server version as upstream's versionComponents reads it ({@code [v]major.minor.patch},
 * anything after ignored): for {@code leafnodes.min_version} and the version a leaf node's
 * CONNECT gives.
 */
public record ServerVersion(int major, int minor, int patch) {
    private static final Pattern SEMVER = Pattern.compile("\\Av?([0-9]+)\\.?([0-9]+)?\\.?([0-9]+)?");

    /** Throws IllegalArgumentException with upstream's text when {@code version} is not one. */
    public static ServerVersion parse(String version) {
        Matcher m = SEMVER.matcher(version == null ? "" : version);
        if (!m.find()) throw new IllegalArgumentException("invalid semver");
        return new ServerVersion(component(m.group(1)), component(m.group(2)), component(m.group(3)));
    }

    private static int component(String s) {
        if (s == null) throw new IllegalArgumentException("strconv.Atoi: parsing \"\": invalid syntax");
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("strconv.Atoi: parsing \"" + s + "\": value out of range");
        }
    }

    /** Whether {@code version} parses and is this one or newer (an unreadable one is not). */
    public boolean isMetBy(String version) {
        ServerVersion v;
        try {
            v = parse(version);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (v.major != major) return v.major > major;
        if (v.minor != minor) return v.minor > minor;
        return v.patch >= patch;
    }

    /** {@code leafnodes.min_version}, checked as upstream's checkLeafMinVersionConfig. */
    static String checkLeafMinimum(String version) {
        try {
            parse(version);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid leafnode's minimum version: " + e.getMessage());
        }
        if (!new ServerVersion(2, 8, 0).isMetBy(version)) throw new IllegalArgumentException("the minimum version should be at least 2.8.0");
        return version;
    }
}

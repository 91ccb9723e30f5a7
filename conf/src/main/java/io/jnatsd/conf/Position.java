package io.jnatsd.conf;

/**
 * Where something was written in a configuration file.
 *
 * @param file   the file name as given to the parser (may be {@code null} for anonymous text)
 * @param line   1-based line
 * @param column 1-based column, counted in Unicode code points
 */
public record Position(String file, int line, int column) {
    @Override
    public String toString() {
        String lc = line + ":" + column;
        return file == null || file.isEmpty() ? lc : file + ":" + lc;
    }
}

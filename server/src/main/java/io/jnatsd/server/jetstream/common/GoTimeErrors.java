package io.jnatsd.server.jetstream.common;

import io.jnatsd.protocol.wire.GoQuote;

/**
 * What Go's {@code time.Time} JSON decoding says of a string that is not an RFC 3339 time, so an
 * API request with a bad {@code start_time} gets upstream's {@code invalid JSON} text: Go walks
 * the layout {@code 2006-01-02T15:04:05Z07:00} element by element and names the first element
 * the value does not fit, or the field out of range, or the text left over.
 */
public final class GoTimeErrors {
    private static final String LAYOUT = "2006-01-02T15:04:05Z07:00";
    /** The layout's elements in order: numbers (with their digit count) and the literals between them. */
    private static final String[] ELEMENTS = {"2006", "-", "01", "-", "02", "T", "15", ":", "04", ":", "05", "Z07:00"};
    private static final String[] RANGE_NAMES = {null, null, "month", null, "day", null, "hour", null, "minute", null, "second"};
    private static final int[] MAXIMA = {0, 0, 12, 0, 31, 0, 23, 0, 59, 0, 59};

    private GoTimeErrors() {}

    /** Go's error for {@code value}, or null when Go would parse it. */
    public static String of(String value) {
        String rest = value;
        int year = 0;
        int month = 0;
        for (int e = 0; e < ELEMENTS.length; e++) {
            String elem = ELEMENTS[e];
            if (e == 0) {
                if (rest.length() < 4 || !digits(rest, 4)) return cannot(value, rest, elem);
                year = Integer.parseInt(rest.substring(0, 4));
                rest = rest.substring(4);
            } else if (e == ELEMENTS.length - 1) {
                if (rest.startsWith("Z")) {
                    rest = rest.substring(1);
                } else if (rest.length() >= 6 && (rest.charAt(0) == '+' || rest.charAt(0) == '-') && digits(rest.substring(1), 2)
                        && rest.charAt(3) == ':' && digits(rest.substring(4), 2)) {
                    rest = rest.substring(6);
                } else {
                    return cannot(value, rest, elem);
                }
            } else if (isDigit(elem.charAt(0))) {
                if (!digits(rest, 2)) return cannot(value, rest, elem);
                int n = Integer.parseInt(rest.substring(0, 2));
                rest = rest.substring(2);
                if (e == 10 && rest.startsWith(".") && rest.length() > 1 && isDigit(rest.charAt(1))) {
                    int i = 1;
                    while (i < rest.length() && isDigit(rest.charAt(i))) i++;
                    rest = rest.substring(i); // a fraction of a second may follow the seconds
                }
                boolean dayOutOfRange = e == 4 && (n < 1 || n > daysIn(month, year));
                if (RANGE_NAMES[e] != null && (n > MAXIMA[e] || (e == 2 && n < 1) || dayOutOfRange)) {
                    return "parsing time " + GoQuote.quote(value) + ": " + RANGE_NAMES[e] + " out of range";
                }
                if (e == 2) month = n;
            } else {
                if (!rest.startsWith(elem)) return cannot(value, rest, elem);
                rest = rest.substring(elem.length());
            }
        }
        if (!rest.isEmpty()) return "parsing time " + GoQuote.quote(value) + ": extra text: " + GoQuote.quote(rest);
        return null;
    }

    private static String cannot(String value, String rest, String elem) {
        return "parsing time " + GoQuote.quote(value) + " as " + GoQuote.quote(LAYOUT) + ": cannot parse "
                + GoQuote.quote(rest) + " as " + GoQuote.quote(elem);
    }

    private static boolean digits(String s, int n) {
        if (s.length() < n) return false;
        for (int i = 0; i < n; i++) if (!isDigit(s.charAt(i))) return false;
        return true;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int daysIn(int month, int year) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }
}

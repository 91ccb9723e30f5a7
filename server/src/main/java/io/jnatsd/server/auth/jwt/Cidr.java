package io.jnatsd.server.auth.jwt;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** A network in CIDR notation ({@code 10.0.0.0/8}, {@code ::1/128}), as user JWTs' {@code src} lists them. */
record Cidr(byte[] network, int bits) {
    /** The network, or null when {@code s} is not a CIDR with a literal address (no name is ever looked up). */
    static Cidr parse(String s) {
        int slash = s.indexOf('/');
        if (slash < 0) return null;
        String addr = s.substring(0, slash).trim();
        if (addr.isEmpty() || !addr.chars().allMatch(ch -> Character.digit(ch, 16) >= 0 || ch == '.' || ch == ':')) return null;
        try {
            byte[] net = InetAddress.getByName(addr).getAddress();
            int bits = Integer.parseInt(s.substring(slash + 1).trim());
            if (bits < 0 || bits > net.length * 8) return null;
            return new Cidr(net, bits);
        } catch (UnknownHostException | NumberFormatException e) {
            return null;
        }
    }

    boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            if (a.length == 16 && network.length == 4 && isMappedV4(a)) {
                a = java.util.Arrays.copyOfRange(a, 12, 16);
            } else {
                return false;
            }
        }
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) return false;
        }
        int rest = bits % 8;
        if (rest == 0) return true;
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (network[full] & mask);
    }

    private static boolean isMappedV4(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) return false;
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }
}

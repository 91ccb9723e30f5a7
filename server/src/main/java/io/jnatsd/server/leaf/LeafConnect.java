package io.jnatsd.server.leaf;

import io.jnatsd.server.conn.PeerJson;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jnatsd.server.auth.NKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CONNECT a leaf node sends its hub, as upstream's leafConnectInfo: who it is (server id
 * and name, cluster), whether it takes headers, and its credentials: the user JWT of a
 * {@code .creds} file with the hub's nonce signed by its seed, else user and password from the
 * URL.
 */
final class LeafConnect {
    /** A {@code -----BEGIN ...-----} ... {@code ------END ...------} block of a .creds file. */
    private static final Pattern CREDS_BLOCK =
            Pattern.compile("\\s*(?:-{3,}[^\\n]*-{3,}\\n)(.+)(?:\\n\\s*-{3,}[^\\n]*-{3,}\\n)");

    private LeafConnect() {}

    static byte[] line(LeafNodeServices s, LeafRemote remote, String nonce, boolean headers, String cluster,
                       boolean tls) throws IOException {
        ObjectNode o = PeerJson.JSON.createObjectNode();
        o.put("version", s.version());
        String creds = remote.config.credentials;
        if (creds != null && !creds.isEmpty()) {
            String[] jwtAndSeed = readCreds(Path.of(creds));
            byte[] sig;
            try {
                sig = NKeys.sign(jwtAndSeed[1], (nonce == null ? "" : nonce).getBytes(StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new IOException("Credentials file has malformed seed");
            }
            o.put("jwt", jwtAndSeed[0]);
            o.put("sig", Base64.getUrlEncoder().withoutPadding().encodeToString(sig));
        } else {
            String[] ui = remote.userInfo();
            if (ui != null) {
                o.put("user", ui[0]);
                if (ui[1] != null) o.put("pass", ui[1]);
            }
        }
        o.put("tls_required", tls);
        o.put("server_id", s.serverId());
        String domain = s.jetStreamDomain();
        if (domain != null && !domain.isEmpty()) o.put("domain", domain);
        o.put("name", s.serverName());
        if (remote.config.hub) o.put("is_hub", true);
        if (cluster != null) o.put("cluster", cluster);
        if (headers) o.put("headers", true);
        if (!remote.config.denyImports.isEmpty()) {
            var deny = o.putArray("deny_pub");
            remote.config.denyImports.forEach(deny::add);
        }
        return LeafJson.line("CONNECT", o);
    }

    /** The user JWT and the seed of a .creds file, as upstream's credsRe finds them. */
    static String[] readCreds(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Matcher m = CREDS_BLOCK.matcher(text);
        List<String> items = new ArrayList<>();
        while (m.find()) items.add(m.group(1).trim());
        if (items.size() < 2) throw new IOException("Credentials file malformed");
        return new String[] {items.get(0), items.get(1)};
    }
}

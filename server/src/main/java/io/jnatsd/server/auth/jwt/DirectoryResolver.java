package io.jnatsd.server.auth.jwt;

import io.jnatsd.server.auth.NKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code resolver: {type: full, dir: ..., allow_delete, limit}}: one file per account, named
 * {@code <account public key>.jwt} directly in {@code dir} (upstream's unsharded layout), holding
 * the JWT as sent. Deleted accounts are renamed to {@code .jwt.deleted}. At most {@code limit}
 * accounts are stored (0: no limit). Writes go through a temporary file and a rename, so a
 * reader never sees half a JWT.
 */
public final class DirectoryResolver implements AccountResolver {
    private static final String EXTENSION = ".jwt";

    private final Path dir;
    private final long limit;
    private final boolean allowDelete;

    public DirectoryResolver(Path dir, long limit, boolean allowDelete) throws IOException {
        this.dir = dir.toAbsolutePath();
        this.limit = limit <= 0 ? Long.MAX_VALUE : limit;
        this.allowDelete = allowDelete;
        Files.createDirectories(this.dir);
    }

    public Path directory() {
        return dir;
    }

    private Path path(String key) {
        return NKeys.role(key) < 0 ? null : dir.resolve(key + EXTENSION);
    }

    @Override
    public synchronized String fetch(String accountKey) {
        Path p = path(accountKey);
        if (p == null) return null;
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public synchronized void save(String accountKey, String jwt) throws IOException {
        Path p = path(accountKey);
        if (p == null) throw new IOException("invalid public key");
        boolean exists = Files.exists(p);
        if (exists && jwt.equals(Files.readString(p, StandardCharsets.UTF_8))) return;
        if (!exists && list().size() >= limit) throw new IOException("jwt store is full");
        write(p, jwt);
    }

    @Override
    public synchronized void saveIfNewer(String accountKey, String jwt) throws IOException {
        Path p = path(accountKey);
        if (p == null) throw new IOException("invalid public key");
        if (Files.exists(p)) {
            Jwt fresh;
            try {
                fresh = Jwt.decode(jwt);
            } catch (JwtException e) {
                throw new IOException(e.getMessage());
            }
            try {
                Jwt existing = Jwt.decode(Files.readString(p, StandardCharsets.UTF_8));
                if (existing.id().equals(fresh.id()) || existing.issuedAt() > fresh.issuedAt()) return;
                if (!fresh.subject().equals(accountKey)) throw new IOException("jwt subject nkey and provided nkey do not match");
            } catch (JwtException e) {
                // an unreadable file is replaced
            }
        }
        save(accountKey, jwt);
    }

    private void write(Path p, String jwt) throws IOException {
        Path tmp = Files.createTempFile(dir, ".tmp-", EXTENSION + ".part");
        try {
            Files.writeString(tmp, jwt, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public boolean isFull() {
        return true;
    }

    @Override
    public synchronized List<String> list() {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + EXTENSION)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                out.add(name.substring(0, name.length() - EXTENSION.length()));
            }
        } catch (IOException e) {
            // an unreadable directory lists nothing
        }
        return out;
    }

    @Override
    public boolean allowsDelete() {
        return allowDelete;
    }

    @Override
    public synchronized void delete(String accountKey) throws IOException {
        if (!allowDelete) throw new IOException("store is not set up to for delete");
        Path p = path(accountKey);
        if (p == null) throw new IOException("invalid public key");
        try {
            Files.move(p, p.resolveSibling(p.getFileName() + ".deleted"), StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException e) {
            // nothing to delete
        }
    }
}

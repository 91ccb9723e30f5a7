package io.jnatsd.junit;

import io.jnatsd.server.NatsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The extension behind {@link Jnatsd}: starts the server before the class (or each test), puts
 * it in JUnit's store so that JUnit stops it when the scope ends, and resolves parameters and
 * fields. Also usable on its own with {@code @ExtendWith}, which gives a plain server.
 */
public final class JnatsdExtension implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(JnatsdExtension.class);
    private static final String KEY = "server";

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!settings(context).perTest()) start(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IllegalAccessException {
        if (settings(context).perTest()) start(context);
        Object instance = context.getRequiredTestInstance();
        NatsServer server = server(context);
        for (Class<?> c = instance.getClass(); c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                Object value = valueFor(f.getType(), f.isAnnotationPresent(JnatsdUrl.class), server);
                if (value == null || Modifier.isStatic(f.getModifiers())) continue;
                f.setAccessible(true);
                f.set(instance, value);
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext context) {
        Class<?> type = p.getParameter().getType();
        return type == NatsServer.class || (type == String.class && p.isAnnotated(JnatsdUrl.class));
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext context) {
        return valueFor(p.getParameter().getType(), p.isAnnotated(JnatsdUrl.class), server(context));
    }

    private static Object valueFor(Class<?> type, boolean url, NatsServer server) {
        if (type == NatsServer.class) return server;
        if (type == String.class && url) return server.clientUrl();
        return null;
    }

    private static Jnatsd settings(ExtensionContext context) {
        return AnnotationSupport.findAnnotation(context.getRequiredTestClass(), Jnatsd.class)
                .orElse(Defaults.class.getAnnotation(Jnatsd.class));
    }

    /** The server of the innermost scope that started one (the test's, else its class's). */
    private static NatsServer server(ExtensionContext context) {
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            Running r = c.getStore(NS).get(KEY, Running.class);
            if (r != null) return r.server;
        }
        throw new ExtensionConfigurationException("no jnatsd server started for " + context.getDisplayName());
    }

    private static void start(ExtensionContext context) {
        Jnatsd s = settings(context);
        Path storeDir = null;
        try {
            NatsServer.Builder b = NatsServer.builder().host("127.0.0.1").port(0);
            if (!s.config().isBlank()) b.config(s.config());
            if (s.jetStream()) {
                storeDir = Files.createTempDirectory("jnatsd-junit");
                b.jetStream(storeDir);
            }
            context.getStore(NS).put(KEY, new Running(b.start(), storeDir));
        } catch (Exception e) {
            deleteTree(storeDir);
            throw new ExtensionConfigurationException("could not start jnatsd: " + e.getMessage(), e);
        }
    }

    /** A started server; JUnit closes it (and removes its store) when its scope ends. */
    private record Running(NatsServer server, Path storeDir) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
            deleteTree(storeDir);
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) return;
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Holds the defaults of {@link Jnatsd} for a class that uses the extension without the annotation. */
    @Jnatsd
    private static final class Defaults {
    }
}

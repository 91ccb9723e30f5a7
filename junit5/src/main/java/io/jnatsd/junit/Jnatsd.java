package io.jnatsd.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test class against an embedded jnatsd server on a free loopback port:
 * one for the whole class, or a fresh one for each test with {@link #perTest}. Tests get it
 * through a parameter or field of type {@link io.jnatsd.server.NatsServer}, or its client URL
 * through a {@code String} parameter or field annotated {@link JnatsdUrl}.
 *
 * <pre>{@code
 * @Jnatsd(jetStream = true)
 * class OrdersTest {
 *     @Test
 *     void publishes(@JnatsdUrl String url) throws Exception {
 *         try (Connection nc = Nats.connect(url)) { ... }
 *     }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(JnatsdExtension.class)
public @interface Jnatsd {
    /** JetStream on, storing in a temporary directory removed when the server stops. */
    boolean jetStream() default false;

    /** Config-file text applied to the server, as in a {@code -c} file ({@code "max_payload: 2MB"}). */
    String config() default "";

    /** A fresh server for each test instead of one for the class. */
    boolean perTest() default false;
}

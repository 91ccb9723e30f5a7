package io.jnatsd.server.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Every server must put an account on the same pool connection: upstream's FNV-1a modulo the pool size. */
class RoutePoolIndexTest {
    @Test
    void theIndexIsFnv1aOfTheAccountNameModuloThePoolSize() {
        // FNV-1a 32 reference vectors: "a" = 0xe40c292c, "foobar" = 0xbf9cf968
        assertEquals(Integer.toUnsignedLong(0xe40c292c) % 7, RoutePool.poolIndex("a", 7));
        assertEquals(Integer.toUnsignedLong(0xbf9cf968) % 1000, RoutePool.poolIndex("foobar", 1000));
        assertEquals(2, RoutePool.poolIndex("$G", 3));
        assertEquals(0, RoutePool.poolIndex("$SYS", 3));
        assertEquals(0, RoutePool.poolIndex("anything", 1));
    }
}

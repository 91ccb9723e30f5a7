package io.jnatsd.server.config;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The command line's picocli must be the project's own build of it (module {@code picocli}): the
 * published jar holds Java 5 class files, which the JVM's ahead-of-time cache refuses, and every
 * start then spent 55-70 ms loading and verifying them.
 */
class PicocliClassFilesTest {
    @Test
    void picocliIsCompiledAsClassFilesTheStartUpCacheAccepts() throws IOException {
        try (InputStream in = CommandLine.class.getResourceAsStream("CommandLine.class")) {
            assertNotNull(in, "picocli's CommandLine.class on the class path");
            DataInputStream data = new DataInputStream(in);
            data.readInt(); // 0xCAFEBABE
            data.readUnsignedShort(); // minor
            int major = data.readUnsignedShort();
            assertTrue(major >= 65, "picocli class file major version " + major + " (Java 21 is 65)");
        }
    }
}

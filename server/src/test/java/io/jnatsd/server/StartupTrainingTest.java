package io.jnatsd.server;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The launcher trains its start-up cache with {@link StartupTraining} and, when that fails, starts
 * without a cache (saying so once); this keeps the training itself working: every conversation and
 * the traffic rehearsal reach their final PONG.
 */
class StartupTrainingTest {
    @Test
    void theTrainingRunCompletes() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> StartupTraining.main(new String[0]));
    }
}

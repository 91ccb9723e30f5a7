package io.jnatsd.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Packages inside the server layer bottom-up (DESIGN.md, code layout): a lower package never
 * imports a higher one; where it must call upward it owns an interface.
 */
class LayeringTest {
    /** Bottom first. Add packages here, in their place, as they are created. */
    private static final List<String> LAYERS = List.of("config", "log", "auth", "net", "websocket", "core", "conn", "account", "client", "cluster", "leaf", "gateway", "jetstream", "mqtt", "monitor", "events");

    @Test
    void lowerPackagesNeverDependOnHigherOnes() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.jnatsd.server");
        for (int low = 0; low < LAYERS.size(); low++) {
            List<String> higher = new java.util.ArrayList<>();
            for (int high = low + 1; high < LAYERS.size(); high++) higher.add("io.jnatsd.server." + LAYERS.get(high) + "..");
            // The root package (Server, Main) sits above every layer.
            noClasses().that().resideInAPackage("io.jnatsd.server." + LAYERS.get(low) + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(higher.toArray(String[]::new))
                    .orShould().dependOnClassesThat().resideInAPackage("io.jnatsd.server")
                    .allowEmptyShould(true)
                    .check(classes);
        }
    }

    @Test
    void pureModulesDoNotDependOnTheServer() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.jnatsd.protocol", "io.jnatsd.conf");
        noClasses().should().dependOnClassesThat().resideInAPackage("io.jnatsd.server..").check(classes);
    }
}

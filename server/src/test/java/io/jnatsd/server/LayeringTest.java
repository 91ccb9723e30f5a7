package io.jnatsd.server;

import static com.tngtech.archunit.core.domain.JavaCall.Predicates.target;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.name;
import static com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner;
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

    /**
     * Inside JetStream, bottom first: what every part shares, streams, consumers (which read
     * their stream), the coordinator and log seam (standalone now, Ratis later), the API, and the
     * service itself in {@code jetstream}, above them all.
     */
    private static final List<String> JETSTREAM_LAYERS = List.of("common", "stream", "consumer", "cluster", "api");

    @Test
    void jetStreamPartsNeverDependOnHigherOnes() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.jnatsd.server.jetstream");
        String js = "io.jnatsd.server.jetstream";
        for (int low = 0; low < JETSTREAM_LAYERS.size(); low++) {
            List<String> higher = new java.util.ArrayList<>();
            for (int high = low + 1; high < JETSTREAM_LAYERS.size(); high++) higher.add(js + "." + JETSTREAM_LAYERS.get(high) + "..");
            noClasses().that().resideInAPackage(js + "." + JETSTREAM_LAYERS.get(low) + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(higher.toArray(String[]::new))
                    .orShould().dependOnClassesThat().resideInAPackage(js)
                    .allowEmptyShould(true)
                    .check(classes);
        }
    }

    /** The API asks the coordinator for every stream, store and consumer it needs created. */
    @Test
    void jetStreamApiNeverCreatesStreamsStoresOrConsumers() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.jnatsd.server.jetstream");
        noClasses().that().resideInAPackage("io.jnatsd.server.jetstream.api..")
                .should().callConstructorWhere(target(owner(
                        name("io.jnatsd.server.jetstream.stream.Stream")
                                .or(name("io.jnatsd.server.jetstream.consumer.Consumer"))
                                .or(name("io.jnatsd.server.jetstream.consumer.StreamConsumers")))))
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.jnatsd.store.FileStore")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("io.jnatsd.store.MemoryStore")
                .check(classes);
    }

    @Test
    void pureModulesDoNotDependOnTheServer() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.jnatsd.protocol", "io.jnatsd.conf");
        noClasses().should().dependOnClassesThat().resideInAPackage("io.jnatsd.server..").check(classes);
    }
}

package io.connectivityproxy.operator.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.connectivityproxy.operator.api.ConnectivityProxy;
import io.connectivityproxy.operator.api.ServiceMapping;
import io.fabric8.crdv2.generator.CRDGenerator;

/**
 * The CRDs under deploy/ are what users install; they must be exactly what the Java types
 * generate. Run with {@code -Dcrds.update=true} to rewrite them after changing the types.
 */
class CrdFilesTest {

    static final Path COMMITTED = Path.of("..", "deploy", "crds");

    @Test
    void committedCrdsAreTheGeneratedOnes(@TempDir Path out) throws IOException {
        new CRDGenerator()
                .customResourceClasses(ConnectivityProxy.class, ServiceMapping.class)
                .forCRDVersions("v1")
                .inOutputDir(out.toFile())
                .generate();
        for (String crd : new String[] {
            "connectivityproxies.connectivityproxy.sap.com", "servicemappings.connectivityproxy.sap.com"
        }) {
            String generated = Files.readString(out.resolve(crd + "-v1.yml"));
            Path committed = COMMITTED.resolve(crd + ".yaml");
            if (Boolean.getBoolean("crds.update")) {
                Files.createDirectories(COMMITTED);
                Files.writeString(committed, generated);
            }
            assertTrue(Files.exists(committed), committed + " is missing; run the build with -Dcrds.update=true");
            assertEquals(
                    generated,
                    Files.readString(committed),
                    committed
                            + " differs from the CRD generated from the Java types; run the build with -Dcrds.update=true");
        }
    }
}

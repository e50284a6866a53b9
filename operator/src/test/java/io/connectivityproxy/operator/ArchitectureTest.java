package io.connectivityproxy.operator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The desired state is pure (style.md 1): the model, TLS and API packages build objects and never
 * talk to the API server, the operator SDK or CDI. Only dependent and reconciler do.
 */
class ArchitectureTest {

    static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.connectivityproxy.operator");

    @Test
    void theModelImportsNoClientNoSdkAndNoCdi() {
        noClasses()
                .that()
                .resideInAnyPackage("..operator.model..", "..operator.tls..", "..operator.api..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.fabric8.kubernetes.client.dsl..",
                        "io.javaoperatorsdk..",
                        "io.quarkus..",
                        "jakarta.inject..",
                        "jakarta.enterprise..")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("io.fabric8.kubernetes.client.KubernetesClient")
                .check(CLASSES);
    }

    @Test
    void theModelDoesNotKnowTheOperatorAroundIt() {
        noClasses()
                .that()
                .resideInAnyPackage("..operator.model..", "..operator.tls..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("..operator.dependent..", "..operator.reconciler..", "..operator.config..")
                .check(CLASSES);
    }
}

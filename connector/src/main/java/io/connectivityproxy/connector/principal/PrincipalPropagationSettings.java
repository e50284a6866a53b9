package io.connectivityproxy.connector.principal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The checked {@code principalPropagation:} section of the connector file (see ConfigLoader). */
public record PrincipalPropagationSettings(
        List<TrustedIssuer> issuers,
        Duration clockTolerance,
        SubjectRules subjectRules,
        Duration certificateValidity,
        UserCertificateAuthority.KeyAlgorithm keyAlgorithm,
        Path caCertificate,
        Path caKey,
        boolean generateCa) {

    public PrincipalPropagationSettings {
        issuers = List.copyOf(issuers);
    }
}

package io.connectivityproxy.connector.principal;

import java.time.Clock;
import javax.security.auth.x500.X500Principal;

import io.connectivityproxy.protocol.PrincipalTokens;

/**
 * SAP's principal propagation on the connector: checks the tokens an OPEN carries, derives the
 * user, finds the subject its certificate gets from the rules, and hands out that user's
 * certificate from the cache. Blocking (a JWKS may be fetched): call it on a worker thread.
 */
public final class PrincipalPropagation {

    private final TokenVerifier verifier;
    private final SubjectRules rules;
    private final CertificateCache certificates;
    private final UserCertificateAuthority authority;

    public PrincipalPropagation(
            TokenVerifier verifier,
            SubjectRules rules,
            CertificateCache certificates,
            UserCertificateAuthority authority) {
        this.verifier = verifier;
        this.rules = rules;
        this.certificates = certificates;
        this.authority = authority;
    }

    /** Everything from the settings: opens (or generates) the CA; {@link IllegalArgumentException} names the field. */
    public static PrincipalPropagation start(PrincipalPropagationSettings settings, String connectorId, Clock clock) {
        UserCertificateAuthority authority;
        try {
            authority = UserCertificateAuthority.open(
                    settings.caCertificate(),
                    settings.caKey(),
                    settings.generateCa(),
                    "connector principal propagation CA (" + connectorId + ")",
                    settings.keyAlgorithm());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("principalPropagation.ca." + e.getMessage());
        }
        TokenVerifier verifier;
        try {
            verifier = new TokenVerifier(settings.issuers(), settings.clockTolerance(), clock);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("principalPropagation.trustedIssuers: " + e.getMessage());
        }
        return new PrincipalPropagation(
                verifier,
                settings.subjectRules(),
                new CertificateCache(authority, settings.certificateValidity(), clock),
                authority);
    }

    public UserCertificateAuthority authority() {
        return authority;
    }

    public CertificateCache certificates() {
        return certificates;
    }

    /**
     * The certificate of the user the tokens name; null when they name none. Every token carried
     * must pass; the business user's token names the user when both are there.
     */
    public UserCredential credentialFor(PrincipalTokens tokens) throws PrincipalRefused {
        if (!tokens.present()) {
            return null;
        }
        Principal business = tokens.user().isEmpty() ? null : verifier.verify(tokens.user(), UserType.BUSINESS);
        Principal technical =
                tokens.technical().isEmpty() ? null : verifier.verify(tokens.technical(), UserType.TECHNICAL);
        Principal principal = business != null ? business : technical;
        X500Principal subject = rules.subjectFor(principal);
        if (subject == null) {
            throw new PrincipalRefused("no subject rule applies to this "
                    + principal.type().label().toLowerCase(java.util.Locale.ROOT)
                    + " user (its token lacks the claims the rules name)");
        }
        return certificates.credentialFor(principal.type(), subject);
    }
}

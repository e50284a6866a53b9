package io.connectivityproxy.connector.principal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jose4j.http.Get;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwt.consumer.JwtContext;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.keys.resolvers.HttpsJwksVerificationKeyResolver;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.InvalidAlgorithmException;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Checks a propagated token with jose4j: an issuer the connector trusts, a signature by one of
 * that issuer's keys (asymmetric algorithms only: {@code none} and HMAC never pass), {@code exp}
 * required and {@code exp}/{@code nbf}/{@code iat} within the clock tolerance. Keys of a JWKS URL
 * are fetched, cached and refreshed for an unknown {@code kid} by jose4j's {@link HttpsJwks}; that
 * fetch blocks, so callers run this on a worker thread. No message ever quotes the token.
 */
public final class TokenVerifier {

    /** The asymmetric JWS algorithms, as proxy authorization accepts them. */
    static final AlgorithmConstraints ALGORITHMS = new AlgorithmConstraints(
            AlgorithmConstraints.ConstraintType.PERMIT,
            AlgorithmIdentifiers.RSA_USING_SHA256,
            AlgorithmIdentifiers.RSA_USING_SHA384,
            AlgorithmIdentifiers.RSA_USING_SHA512,
            AlgorithmIdentifiers.RSA_PSS_USING_SHA256,
            AlgorithmIdentifiers.RSA_PSS_USING_SHA384,
            AlgorithmIdentifiers.RSA_PSS_USING_SHA512,
            AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256,
            AlgorithmIdentifiers.ECDSA_USING_P384_CURVE_AND_SHA384,
            AlgorithmIdentifiers.ECDSA_USING_P521_CURVE_AND_SHA512);
    /** Known keys keep serving this long while the issuer's JWKS endpoint is unreachable. */
    private static final long RETAIN_KEYS_ON_ERROR_SECONDS = Duration.ofDays(1).toSeconds();

    private static final JwtConsumer FIRST_LOOK = new JwtConsumerBuilder()
            .setSkipAllValidators()
            .setDisableRequireSignature()
            .setSkipSignatureVerification()
            .build();

    private final Map<String, VerificationKeyResolver> keysByIssuer = new HashMap<>();
    private final int toleranceSeconds;
    private final Clock clock;

    /** Throws {@link IllegalArgumentException} naming the issuer whose key file cannot be used. */
    public TokenVerifier(List<TrustedIssuer> issuers, Duration clockTolerance, Clock clock) {
        this.toleranceSeconds = (int) clockTolerance.toSeconds();
        this.clock = clock;
        for (TrustedIssuer issuer : issuers) {
            keysByIssuer.put(issuer.issuer(), resolver(issuer));
        }
    }

    private static VerificationKeyResolver resolver(TrustedIssuer issuer) {
        if (issuer.jwksUrl() != null) {
            HttpsJwks jwks = new HttpsJwks(issuer.jwksUrl());
            Get get = new Get();
            get.setConnectTimeout(5000);
            get.setReadTimeout(5000);
            get.setResponseBodySizeLimit(1024 * 1024);
            if (issuer.trustCa() != null) {
                try {
                    get.setTrustedCertificates(Pem.certificates(issuer.trustCa()));
                } catch (IOException | GeneralSecurityException e) {
                    throw new IllegalArgumentException(
                            "trustCa: cannot read " + issuer.trustCa() + ": " + e.getMessage());
                }
            }
            jwks.setSimpleHttpGet(get);
            jwks.setRetainCacheOnErrorDuration(RETAIN_KEYS_ON_ERROR_SECONDS);
            return new HttpsJwksVerificationKeyResolver(jwks);
        }
        return fileResolver(issuer.keyFile());
    }

    /** A JWKS document, a PEM public key or PEM certificate(s). */
    private static VerificationKeyResolver fileResolver(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("keyFile: cannot read " + file + ": " + e.getMessage());
        }
        try {
            if (text.trim().startsWith("{")) {
                return new JwksVerificationKeyResolver(new JsonWebKeySet(text).getJsonWebKeys());
            }
            List<byte[]> publicKeys = Pem.blocks(text, "PUBLIC KEY");
            if (publicKeys.size() == 1) {
                Key key = publicKey(publicKeys.get(0));
                return (jws, nested) -> key;
            }
            List<X509Certificate> certificates = Pem.certificates(file);
            Key key = certificates.get(0).getPublicKey();
            return (jws, nested) -> key;
        } catch (Exception e) {
            throw new IllegalArgumentException("keyFile: " + file + " is not a JWKS document, a PEM public key or a "
                    + "PEM certificate: " + e.getMessage());
        }
    }

    private static Key publicKey(byte[] der) throws GeneralSecurityException {
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (java.security.spec.InvalidKeySpecException e) {
                // the next algorithm
            }
        }
        throw new GeneralSecurityException("neither an RSA nor an EC public key");
    }

    /** The user the token is for; refused with a reason for people otherwise. */
    public Principal verify(String token, UserType type) throws PrincipalRefused {
        String which = type == UserType.BUSINESS ? "the user's token" : "the technical user's token";
        JwtContext context;
        try {
            context = FIRST_LOOK.process(token);
        } catch (InvalidJwtException | RuntimeException e) {
            throw new PrincipalRefused(which + " is not a JWT");
        }
        String issuer;
        try {
            List<JsonWebStructure> layers = context.getJoseObjects();
            if (layers.size() != 1) {
                throw new PrincipalRefused(which + ": nested or encrypted tokens are not accepted");
            }
            String algorithm = layers.get(0).getAlgorithmHeaderValue();
            try {
                if (algorithm == null) {
                    throw new InvalidAlgorithmException("no alg");
                }
                ALGORITHMS.checkConstraint(algorithm);
            } catch (InvalidAlgorithmException e) {
                throw new PrincipalRefused(which + ": its algorithm '" + shown(algorithm)
                        + "' is not accepted (RS256, ES256 and the like only)");
            }
            issuer = context.getJwtClaims().getIssuer();
        } catch (MalformedClaimException | RuntimeException e) {
            throw new PrincipalRefused(which + " is malformed");
        }
        VerificationKeyResolver keys = issuer == null ? null : keysByIssuer.get(issuer);
        if (keys == null) {
            throw new PrincipalRefused(which + ": its issuer '" + shown(issuer) + "' is not trusted");
        }
        JwtConsumer consumer = new JwtConsumerBuilder()
                .setVerificationKeyResolver(keys)
                .setJwsAlgorithmConstraints(ALGORITHMS)
                .setExpectedIssuer(issuer)
                .setRequireExpirationTime()
                .setAllowedClockSkewInSeconds(toleranceSeconds)
                .setIssuedAtRestrictions(toleranceSeconds, Integer.MAX_VALUE)
                .setEvaluationTime(NumericDate.fromMilliseconds(clock.millis()))
                // The audience is the propagating application's business, not the connector's.
                .setSkipDefaultAudienceValidation()
                .build();
        try {
            consumer.processContext(context);
        } catch (InvalidJwtException e) {
            throw refusal(which, e);
        } catch (RuntimeException e) {
            throw new PrincipalRefused(which + ": its signature cannot be checked");
        }
        return Principal.of(type, context.getJwtClaims().getClaimsMap());
    }

    private static PrincipalRefused refusal(String which, InvalidJwtException e) {
        if (e.hasExpired()) {
            return new PrincipalRefused(which + " has expired");
        }
        if (e.hasErrorCode(ErrorCodes.NOT_YET_VALID) || e.hasErrorCode(ErrorCodes.ISSUED_AT_INVALID_FUTURE)) {
            return new PrincipalRefused(which + " is not valid yet");
        }
        if (e.hasErrorCode(ErrorCodes.EXPIRATION_MISSING)) {
            return new PrincipalRefused(which + " has no expiry (exp)");
        }
        if (e.hasErrorCode(ErrorCodes.SIGNATURE_INVALID)) {
            return new PrincipalRefused(which + ": its signature is invalid");
        }
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof UnresolvableKeyException) {
                return new PrincipalRefused(which + ": none of its issuer's keys can check it (unknown key id, "
                        + "or the issuer's keys cannot be fetched)");
            }
        }
        return new PrincipalRefused(which + " is not valid");
    }

    /** Untrusted text for a one-line message: printable ASCII, at most 80 characters. */
    static String shown(String text) {
        if (text == null) {
            return "(none)";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < 80; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }
}

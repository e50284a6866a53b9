package io.connectivityproxy.proxy.auth;

import java.security.Key;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwt.consumer.JwtContext;
import org.jose4j.jwx.JsonWebStructure;

/**
 * SAP's token rules as pure code over jose4j (no I/O): which algorithms are accepted, the first
 * look at a token (its issuer and key id, before any key is known), the full check against the
 * issuer's key, and the claims that name the client and the subaccount.
 */
public final class TokenRules {

    /** Asymmetric signatures only: {@code none} and HMAC (a public key used as a shared secret) never pass. */
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

    /** Longest token looked at; SAP's SOCKS5 method 0x80 carries at most 16 KiB too. */
    public static final int MAX_TOKEN_LENGTH = 16 * 1024;

    private static final JwtConsumer FIRST_LOOK = new JwtConsumerBuilder()
            .setSkipAllValidators()
            .setDisableRequireSignature()
            .setSkipSignatureVerification()
            .build();

    /** What a token says before it is checked: enough to find the key that must have signed it. */
    public record Unverified(JwtContext context, String issuer, String keyId, String algorithm) {}

    /** A checked token's identity. */
    public record Principal(String subaccount, String clientId, String issuer, long expiresAtSeconds) {}

    private TokenRules() {}

    /** Parses without checking anything but the form; refuses what no key could ever make valid. */
    public static Unverified firstLook(String token) throws TokenException {
        if (token == null || token.isEmpty()) {
            throw new TokenException(TokenException.Kind.MISSING, "no token");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new TokenException(
                    TokenException.Kind.MALFORMED, "the token is longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        JwtContext context;
        try {
            context = FIRST_LOOK.process(token);
        } catch (InvalidJwtException e) {
            throw new TokenException(TokenException.Kind.MALFORMED, "the token is not a JWT");
        } catch (RuntimeException e) {
            // jose4j reads untrusted JSON and base64; anything it throws is a malformed token.
            throw new TokenException(TokenException.Kind.MALFORMED, "the token is not a JWT");
        }
        try {
            return headerAndIssuer(context);
        } catch (RuntimeException e) {
            // A header field of the wrong JSON type (a kid that is a list, an alg that is a number).
            throw new TokenException(TokenException.Kind.MALFORMED, "the token's header is malformed");
        }
    }

    private static Unverified headerAndIssuer(JwtContext context) throws TokenException {
        List<JsonWebStructure> layers = context.getJoseObjects();
        if (layers.size() != 1) {
            throw new TokenException(TokenException.Kind.MALFORMED, "nested or encrypted tokens are not accepted");
        }
        String algorithm = layers.get(0).getAlgorithmHeaderValue();
        try {
            if (algorithm == null) {
                throw new org.jose4j.lang.InvalidAlgorithmException("no alg");
            }
            ALGORITHMS.checkConstraint(algorithm);
        } catch (org.jose4j.lang.InvalidAlgorithmException e) {
            throw new TokenException(
                    TokenException.Kind.ALGORITHM,
                    "the token's algorithm '" + shown(algorithm)
                            + "' is not accepted (RS256, ES256 and the like only)");
        }
        String issuer;
        try {
            issuer = context.getJwtClaims().getIssuer();
        } catch (MalformedClaimException e) {
            throw new TokenException(TokenException.Kind.MALFORMED, "the token's iss claim is not a string");
        }
        if (issuer == null || issuer.isEmpty()) {
            throw new TokenException(TokenException.Kind.ISSUER, "the token names no issuer (iss)");
        }
        return new Unverified(context, issuer, layers.get(0).getKeyIdHeaderValue(), algorithm);
    }

    /**
     * Checks the signature with {@code key}, the issuer, exp, nbf and iat within {@code skewSeconds},
     * and the client id; returns who the token is for.
     */
    public static Principal verify(Unverified token, Key key, String allowedClientId, int skewSeconds)
            throws TokenException {
        JwtConsumer consumer = new JwtConsumerBuilder()
                .setVerificationKey(key)
                .setJwsAlgorithmConstraints(ALGORITHMS)
                .setExpectedIssuer(token.issuer())
                .setRequireExpirationTime()
                .setAllowedClockSkewInSeconds(skewSeconds)
                .setIssuedAtRestrictions(skewSeconds, Integer.MAX_VALUE)
                // XSUAA's aud lists scope prefixes; SAP's rule is the client id below.
                .setSkipDefaultAudienceValidation()
                .build();
        try {
            consumer.processContext(token.context());
        } catch (InvalidJwtException e) {
            throw refusal(e);
        } catch (RuntimeException e) {
            throw new TokenException(TokenException.Kind.SIGNATURE, "the token's signature cannot be checked");
        }
        JwtClaims claims = token.context().getJwtClaims();
        String clientId = clientId(claims);
        if (clientId == null) {
            throw new TokenException(
                    TokenException.Kind.CLIENT_ID, "the token names no client (client_id, azp or cid)");
        }
        if (!clientId.equals(allowedClientId)) {
            throw new TokenException(
                    TokenException.Kind.CLIENT_ID,
                    "the token's client id '" + shown(clientId) + "' is not the allowed client id");
        }
        String subaccount = subaccount(claims);
        if (subaccount == null) {
            throw new TokenException(
                    TokenException.Kind.SUBACCOUNT, "the token names no subaccount (ext_attr.subaccountid or zid)");
        }
        long expires;
        try {
            expires = claims.getExpirationTime().getValue();
        } catch (MalformedClaimException e) {
            throw new TokenException(TokenException.Kind.MALFORMED, "the token's exp claim is not a number");
        }
        return new Principal(subaccount, clientId, token.issuer(), expires);
    }

    /**
     * The subaccount of a token that is trusted without a check (SAP's multi-tenant trusted mode,
     * the SAP-CP-Connectivity-Service-Token header): only its form and claims are read.
     */
    public static String trustedSubaccount(String token) throws TokenException {
        if (token == null || token.isEmpty()) {
            throw new TokenException(TokenException.Kind.MISSING, "no token");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new TokenException(
                    TokenException.Kind.MALFORMED, "the token is longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        JwtClaims claims;
        try {
            claims = FIRST_LOOK.process(token).getJwtClaims();
        } catch (InvalidJwtException | RuntimeException e) {
            throw new TokenException(TokenException.Kind.MALFORMED, "the token is not a JWT");
        }
        String subaccount = subaccount(claims);
        if (subaccount == null) {
            throw new TokenException(
                    TokenException.Kind.SUBACCOUNT, "the token names no subaccount (ext_attr.subaccountid or zid)");
        }
        return subaccount;
    }

    /** SAP's client id claims, in order: client_id, azp, cid. */
    static String clientId(JwtClaims claims) {
        for (String name : List.of("client_id", "azp", "cid")) {
            Object value = claims.getClaimValue(name);
            if (value instanceof String text && !text.isEmpty()) {
                return text;
            }
        }
        return null;
    }

    /** SAP's subaccount claims: ext_attr.subaccountid, else zid. */
    static String subaccount(JwtClaims claims) {
        Object extAttr = claims.getClaimValue("ext_attr");
        if (extAttr instanceof Map<?, ?> map && map.get("subaccountid") instanceof String id && !id.isEmpty()) {
            return id;
        }
        Object zid = claims.getClaimValue("zid");
        return zid instanceof String text && !text.isEmpty() ? text : null;
    }

    private static TokenException refusal(InvalidJwtException e) {
        if (e.hasExpired()) {
            return new TokenException(TokenException.Kind.EXPIRED, "the token has expired");
        }
        if (e.hasErrorCode(ErrorCodes.NOT_YET_VALID)) {
            return new TokenException(TokenException.Kind.NOT_YET_VALID, "the token is not valid yet (nbf)");
        }
        if (e.hasErrorCode(ErrorCodes.ISSUED_AT_INVALID_FUTURE)) {
            return new TokenException(TokenException.Kind.NOT_YET_VALID, "the token is issued in the future (iat)");
        }
        if (e.hasErrorCode(ErrorCodes.EXPIRATION_MISSING)) {
            return new TokenException(TokenException.Kind.MALFORMED, "the token has no expiry (exp)");
        }
        if (e.hasErrorCode(ErrorCodes.SIGNATURE_INVALID)) {
            return new TokenException(TokenException.Kind.SIGNATURE, "the token's signature is invalid");
        }
        if (e.hasErrorCode(ErrorCodes.ISSUER_INVALID)) {
            return new TokenException(TokenException.Kind.ISSUER, "the token's issuer is not accepted");
        }
        return new TokenException(TokenException.Kind.SIGNATURE, "the token is not valid");
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

    static Optional<String> optional(String value) {
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
    }
}

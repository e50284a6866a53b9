package io.connectivityproxy.connector.principal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token checks against an issuer's key file, with the clock injected. */
class TokenVerifierTest {

    private static final String ISSUER = "https://idp.example.com/oauth/token";
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    @TempDir
    Path dir;

    private PublicJsonWebKey key;
    private TokenVerifier verifier;

    @BeforeEach
    void setUp() throws Exception {
        key = RsaJwkGenerator.generateJwk(2048);
        key.setKeyId("k1");
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JsonWebKeySet(key).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
        verifier = new TokenVerifier(
                List.of(new TrustedIssuer(ISSUER, null, jwks, null)), Duration.ofSeconds(30), new MutableClock(NOW));
    }

    private JwtClaims claims() {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setClaim("user_name", "alice");
        claims.setClaim("email", "alice@example.com");
        claims.setIssuedAt(NumericDate.fromMilliseconds(NOW.minusSeconds(60).toEpochMilli()));
        claims.setExpirationTime(
                NumericDate.fromMilliseconds(NOW.plusSeconds(600).toEpochMilli()));
        return claims;
    }

    private String sign(JwtClaims claims, PublicJsonWebKey with) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(with.getPrivateKey());
        jws.setKeyIdHeaderValue("k1");
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        return jws.getCompactSerialization();
    }

    @Test
    void aValidTokenNamesItsUser() throws Exception {
        Principal principal = verifier.verify(sign(claims(), key), UserType.BUSINESS);
        assertEquals("alice", principal.variable("name"));
        assertEquals(UserType.BUSINESS, principal.type());
        JwtClaims technical = claims();
        technical.unsetClaim("user_name");
        technical.setClaim("client_id", "sb-robot");
        assertEquals(
                "sb-robot",
                verifier.verify(sign(technical, key), UserType.TECHNICAL).variable("name"));
    }

    @Test
    void expiryHasTheConfiguredTolerance() throws Exception {
        JwtClaims claims = claims();
        claims.setExpirationTime(
                NumericDate.fromMilliseconds(NOW.minusSeconds(20).toEpochMilli()));
        verifier.verify(sign(claims, key), UserType.BUSINESS);
        claims.setExpirationTime(
                NumericDate.fromMilliseconds(NOW.minusSeconds(40).toEpochMilli()));
        assertRefused("the user's token has expired", sign(claims, key));
        claims.unsetClaim("exp");
        assertRefused("has no expiry", sign(claims, key));
        JwtClaims future = claims();
        future.setNotBefore(NumericDate.fromMilliseconds(NOW.plusSeconds(120).toEpochMilli()));
        assertRefused("is not valid yet", sign(future, key));
    }

    @Test
    void foreignTamperedUnsignedAndHmacTokensAreRefused() throws Exception {
        JwtClaims foreign = claims();
        foreign.setIssuer("https://evil.example.com/oauth/token");
        assertRefused("its issuer 'https://evil.example.com/oauth/token' is not trusted", sign(foreign, key));

        PublicJsonWebKey other = RsaJwkGenerator.generateJwk(2048);
        assertRefused("its signature is invalid", sign(claims(), other));

        String token = sign(claims(), key);
        String[] parts = token.split("\\.");
        JwtClaims changed = claims();
        changed.setClaim("user_name", "admin");
        String tampered = parts[0] + "."
                + java.util.Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(changed.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + "." + parts[2];
        assertRefused("its signature is invalid", tampered);

        JsonWebSignature none = new JsonWebSignature();
        none.setPayload(claims().toJson());
        none.setAlgorithmHeaderValue(AlgorithmIdentifiers.NONE);
        none.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
        assertRefused("its algorithm 'none' is not accepted", none.getCompactSerialization());

        JsonWebSignature hmac = new JsonWebSignature();
        hmac.setPayload(claims().toJson());
        hmac.setKey(new HmacKey(key.getPublicKey().getEncoded()));
        hmac.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        hmac.setDoKeyValidation(false);
        assertRefused("its algorithm 'HS256' is not accepted", hmac.getCompactSerialization());

        assertRefused("the user's token is not a JWT", "not-a-jwt");
        assertRefused("the user's token is not a JWT", "a.b.c");
    }

    @Test
    void aPemPublicKeyFileWorksToo() throws Exception {
        Path pem = dir.resolve("key.pem");
        Files.writeString(pem, Pem.encode("PUBLIC KEY", key.getPublicKey().getEncoded()));
        TokenVerifier fromPem = new TokenVerifier(
                List.of(new TrustedIssuer(ISSUER, null, pem, null)), Duration.ZERO, new MutableClock(NOW));
        assertEquals(
                "alice", fromPem.verify(sign(claims(), key), UserType.BUSINESS).variable("name"));
        Path garbage = dir.resolve("garbage.pem");
        Files.writeString(garbage, "nothing here");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new TokenVerifier(
                        List.of(new TrustedIssuer(ISSUER, null, garbage, null)), Duration.ZERO, new MutableClock(NOW)));
        assertTrue(e.getMessage().startsWith("keyFile: " + garbage), e.getMessage());
    }

    private void assertRefused(String fragment, String token) {
        PrincipalRefused e = assertThrows(PrincipalRefused.class, () -> verifier.verify(token, UserType.BUSINESS));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        // Refusals name what is wrong, never the token or its claims.
        for (String part : token.split("\\.")) {
            assertFalse(!part.isEmpty() && part.length() > 8 && e.getMessage().contains(part), e.getMessage());
        }
        assertFalse(e.getMessage().contains("alice"), e.getMessage());
    }
}

package io.connectivityproxy.connector.principal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.security.auth.x500.X500Principal;

import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connector's decoders of propagated tokens on seeded random and mutated input: a token is
 * either accepted or refused with {@link PrincipalRefused}, never anything unchecked, and a
 * mutated token is never accepted as another user. Claims of any shape make a subject or none,
 * never an exception. A failure names the seed; rerun it with {@code -Dfuzz.seed=<seed>}.
 */
class PrincipalFuzzTest {

    private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
    private static final String ISSUER = "https://idp.example.com/oauth/token";
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    @TempDir
    Path dir;

    private TokenVerifier verifier;
    private String valid;

    @BeforeEach
    void setUp() throws Exception {
        PublicJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
        key.setKeyId("k1");
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JsonWebKeySet(key).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
        verifier = new TokenVerifier(
                List.of(new TrustedIssuer(ISSUER, null, jwks, null)), Duration.ofSeconds(30), new MutableClock(NOW));
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setClaim("user_name", "alice");
        claims.setExpirationTime(
                NumericDate.fromMilliseconds(NOW.plusSeconds(600).toEpochMilli()));
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue("k1");
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        valid = jws.getCompactSerialization();
    }

    /** Returns the user's name for an accepted token, null for a clear refusal. */
    private String verify(String token, String what) {
        try {
            return verifier.verify(token, UserType.BUSINESS).variable("name");
        } catch (PrincipalRefused refused) {
            return null;
        } catch (RuntimeException e) {
            throw new AssertionError("seed " + SEED + ", " + what + ": unchecked " + e + " for " + token, e);
        }
    }

    @Test
    void mutatedTokensAreRefusedClearlyAndNeverNameAnotherUser() {
        assertEquals("alice", verify(valid, "the valid token"));
        assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
            Random random = new Random(SEED);
            String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=";
            int accepted = 0;
            for (int i = 0; i < 3_000; i++) {
                char[] token = valid.toCharArray();
                int edits = 1 + random.nextInt(4);
                for (int e = 0; e < edits; e++) {
                    token[random.nextInt(token.length)] = alphabet.charAt(random.nextInt(alphabet.length()));
                }
                String mutated = new String(token);
                String name = verify(mutated, "mutation " + i);
                if (name != null) {
                    // Only a mutation the base64url decoding does not see (trailing bits) may pass, as alice.
                    assertEquals("alice", name, "seed " + SEED + ": " + mutated);
                    accepted++;
                }
            }
            assertTrue(accepted < 300, "seed " + SEED + ": " + accepted + " mutated tokens were accepted");
        });
    }

    @Test
    void structuredButHostileTokensAreRefusedClearly() {
        assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
            Random random = new Random(SEED);
            String[] headers = {
                "{\"alg\":\"RS256\",\"kid\":\"k1\"}",
                "{\"alg\":\"none\"}",
                "{\"alg\":null}",
                "{\"alg\":1}",
                "{\"alg\":\"RS256\",\"kid\":[1]}",
                "{}",
                "[]",
                "null",
                "{\"alg\":\"RS256\",\"crit\":[\"x\"]}",
                "{\"alg\":\"HS256\"}",
                "{\"alg\":\"RS256\",\"jwk\":{\"kty\":\"RSA\"}}",
                "{\"alg\":\"RS256\"",
                "{\"alg\":\"RSA-OAEP\",\"enc\":\"A128GCM\"}"
            };
            String[] payloads = {
                "{\"iss\":\"" + ISSUER + "\",\"exp\":\"soon\"}",
                "{\"iss\":5}",
                "{\"exp\":1e308}",
                "{\"iss\":\"" + ISSUER + "\",\"exp\":99999999999,\"user_name\":{}}",
                "[1,2]",
                "",
                "{\"iss\":[\"" + ISSUER + "\"]}",
                "{\"a\":" + "[".repeat(50),
                "{\"iss\":\"" + ISSUER + "\"}"
            };
            for (int i = 0; i < 3_000; i++) {
                String header =
                        B64.encodeToString(headers[random.nextInt(headers.length)].getBytes(StandardCharsets.UTF_8));
                String payload =
                        B64.encodeToString(payloads[random.nextInt(payloads.length)].getBytes(StandardCharsets.UTF_8));
                String signature = random.nextBoolean() ? "" : B64.encodeToString(new byte[random.nextInt(300)]);
                String token = random.nextInt(10) == 0
                        ? header + "." + payload
                        : header + "." + payload + "." + signature + (random.nextInt(10) == 0 ? ".x.y" : "");
                String name = verify(token, "hostile " + i);
                assertEquals(null, name, "seed " + SEED + ": accepted " + token);
            }
        });
    }

    @Test
    void claimsOfAnyShapeMakeASubjectOrNone() {
        Random random = new Random(SEED);
        Object[] values = {
            "alice",
            "",
            " ",
            "a,b=c+d",
            "#x",
            "\\",
            "\u0000",
            "é\u202e",
            "x".repeat(300),
            7,
            1.5,
            true,
            null,
            List.of("a"),
            Map.of("k", "v")
        };
        String[] claims = {
            "user_name",
            "email",
            "mail",
            "user_uuid",
            "sub",
            "client_id",
            "cid",
            "azp",
            "login_name",
            "display_name",
            "given_name",
            "family_name",
            "user_id"
        };
        SubjectRules rules = new SubjectRules(List.of(
                SubjectRule.parse("CN=${display_name}, OU=${login_name}", null),
                SubjectRule.parse("CN=${name}, E=${email}", UserType.BUSINESS),
                SubjectRule.parse("CN=${name}", null)));
        for (int i = 0; i < 20_000; i++) {
            Map<String, Object> map = new HashMap<>();
            for (String claim : claims) {
                if (random.nextInt(3) == 0) {
                    map.put(claim, values[random.nextInt(values.length)]);
                }
            }
            UserType type = random.nextBoolean() ? UserType.BUSINESS : UserType.TECHNICAL;
            try {
                X500Principal subject = rules.subjectFor(Principal.of(type, map));
                if (subject != null) {
                    // Whatever the values, the subject has the rule's attributes and no others.
                    org.bouncycastle.asn1.x500.RDN[] rdns = org.bouncycastle.asn1.x500.X500Name.getInstance(
                                    subject.getEncoded())
                            .getRDNs();
                    assertTrue(rdns.length == 1 || rdns.length == 2, "seed " + SEED + ", " + map + ": " + subject);
                    for (org.bouncycastle.asn1.x500.RDN rdn : rdns) {
                        assertTrue(!rdn.isMultiValued(), "seed " + SEED + ", " + map + ": " + subject);
                    }
                    assertEquals(
                            org.bouncycastle.asn1.x500.style.BCStyle.CN,
                            rdns[rdns.length - 1].getFirst().getType(),
                            "seed " + SEED + ", " + map);
                }
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + SEED + ", iteration " + i + ": " + e + " for " + map, e);
            }
        }
    }
}

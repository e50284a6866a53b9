package io.connectivityproxy.proxy.auth;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The token path on seeded random and mutated JWTs: every input is either accepted or refused
 * with a {@link TokenException}, never anything unchecked. A failure names the seed; rerun it
 * with {@code -Dfuzz.seed=<seed>}.
 */
class TokenFuzzTest {

    private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static Issuer issuer;
    private static String valid;

    @BeforeAll
    static void keys() throws Exception {
        issuer = new Issuer();
        valid = issuer.token("sub-a");
    }

    /** Runs the whole path; returns normally for an accepted token and for a clear refusal. */
    private static void path(String token, String what) {
        try {
            TokenRules.Unverified unverified = TokenRules.firstLook(token);
            Key key = unverified.keyId() != null && unverified.keyId().equals("rsa-1")
                    ? issuer.key("rsa-1").getPublicKey()
                    : issuer.key("ec-1").getPublicKey();
            TokenRules.verify(unverified, key, Issuer.CLIENT, 30);
        } catch (TokenException refused) {
            // a clear refusal
        } catch (RuntimeException e) {
            throw new AssertionError("seed " + SEED + ", " + what + ": unchecked " + e + " for " + token, e);
        }
        try {
            TokenRules.trustedSubaccount(token);
        } catch (TokenException refused) {
            // a clear refusal
        } catch (RuntimeException e) {
            throw new AssertionError("seed " + SEED + ", " + what + ": unchecked " + e + " (trusted) for " + token, e);
        }
    }

    @Test
    void randomTokensAreRefusedClearly() {
        assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
            Random random = new Random(SEED);
            String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/{}\":, \u00e9\u0000";
            for (int i = 0; i < 20_000; i++) {
                StringBuilder token = new StringBuilder();
                int length = random.nextInt(200);
                for (int j = 0; j < length; j++) {
                    token.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                path(token.toString(), "random " + i);
            }
        });
    }

    @Test
    void structuredButHostileTokensAreRefusedClearly() {
        assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
            Random random = new Random(SEED);
            String[] headers = {
                "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}",
                "{\"alg\":\"none\"}",
                "{\"alg\":null}",
                "{\"alg\":1}",
                "{\"alg\":\"RS256\",\"kid\":[1]}",
                "{}",
                "[]",
                "null",
                "{\"alg\":\"RS256\",\"crit\":[\"x\"]}",
                "{\"alg\":\"ES256\",\"kid\":\"ec-1\"}",
                "{\"alg\":\"RS256\",\"jwk\":{\"kty\":\"RSA\"}}",
                "{\"alg\":\"RS256\""
            };
            String[] payloads = {
                "{\"iss\":\"" + Issuer.URL + "\",\"exp\":\"soon\"}",
                "{\"iss\":5}",
                "{\"exp\":1e308}",
                "{\"iss\":\"" + Issuer.URL + "\",\"exp\":99999999999,\"client_id\":{},\"ext_attr\":\"x\"}",
                "[1,2]",
                "",
                "{\"iss\":\"" + Issuer.URL + "\",\"ext_attr\":{\"subaccountid\":7},\"zid\":[]}",
                "{\"a\":" + "[".repeat(50)
            };
            for (int i = 0; i < 5_000; i++) {
                String header =
                        B64.encodeToString(headers[random.nextInt(headers.length)].getBytes(StandardCharsets.UTF_8));
                String payload =
                        B64.encodeToString(payloads[random.nextInt(payloads.length)].getBytes(StandardCharsets.UTF_8));
                byte[] signature = new byte[random.nextInt(300)];
                random.nextBytes(signature);
                path(header + "." + payload + "." + B64.encodeToString(signature), "structured " + i);
            }
        });
    }

    @Test
    void mutatedValidTokensAreAcceptedOnlyWhenUnchanged() {
        assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
            Random random = new Random(SEED);
            for (int i = 0; i < 3_000; i++) {
                char[] token = valid.toCharArray();
                int mutations = 1 + random.nextInt(4);
                for (int m = 0; m < mutations; m++) {
                    int at = random.nextInt(token.length);
                    token[at] = (char)
                            (random.nextBoolean() ? token[random.nextInt(token.length)] : 32 + random.nextInt(95));
                }
                String mutated = new String(token);
                if (mutated.equals(valid)) {
                    continue;
                }
                try {
                    TokenRules.Unverified unverified = TokenRules.firstLook(mutated);
                    TokenRules.verify(unverified, issuer.key("rsa-1").getPublicKey(), Issuer.CLIENT, 30);
                    // base64url has some slack (trailing bits, and jose4j also reads '+' and '/'); the bytes
                    // jose4j decodes must then be the same as the original's.
                    if (!java.util.Arrays.equals(decodedParts(mutated), decodedParts(valid))) {
                        throw new AssertionError("seed " + SEED + ": a changed token was accepted: " + mutated);
                    }
                } catch (TokenException refused) {
                    // a clear refusal
                } catch (RuntimeException e) {
                    throw new AssertionError("seed " + SEED + ", mutation " + i + ": unchecked " + e, e);
                }
            }
        });
    }

    private static byte[] decodedParts(String token) {
        StringBuilder out = new StringBuilder();
        for (String part : token.split("\\.", -1)) {
            out.append(java.util.HexFormat.of().formatHex(new org.jose4j.base64url.Base64Url().base64UrlDecode(part)))
                    .append('.');
        }
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }
}

package io.connectivityproxy.proxy.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/**
 * The validator with its key cache against a real JWKS endpoint on a socket: keys selected by
 * kid, a rotated key picked up on first sight, unknown kids fetched at most once per interval, and
 * known keys served while the issuer is down. The clock of the cache is a counter the test moves.
 */
class TokenValidatorTest {

    private Vertx vertx;
    private HttpServer server;
    private Issuer issuer;
    private final AtomicInteger fetches = new AtomicInteger();
    private volatile boolean down;
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private TokenValidator validator;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        issuer = new Issuer();
        server = vertx.createHttpServer().requestHandler(request -> {
            fetches.incrementAndGet();
            if (down) {
                request.response().setStatusCode(503).end("down");
            } else {
                request.response().putHeader("Content-Type", "application/json").end(issuer.jwks());
            }
        });
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        JwksCache keys = new JwksCache(
                vertx, vertx.createHttpClient(), Duration.ofMinutes(10), Duration.ofSeconds(10), nanos::get, false);
        validator = new TokenValidator(
                List.of(Issuer.URL),
                Optional.of("http://127.0.0.1:" + server.actualPort() + "/token_keys"),
                Issuer.CLIENT,
                30,
                keys,
                Clock.systemUTC());
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private TokenException refusal(Future<?> future) throws Exception {
        try {
            await(future);
        } catch (java.util.concurrent.ExecutionException e) {
            return assertInstanceOf(TokenException.class, e.getCause());
        }
        throw new AssertionError("the token was accepted");
    }

    @Test
    void keysAreFetchedOnceAndSelectedByKid() throws Exception {
        assertEquals(
                "sub-a",
                await(validator.validate(issuer.sign(Issuer.claims("sub-a"), "rsa-1")))
                        .subaccount());
        assertEquals(
                "sub-b",
                await(validator.validate(issuer.sign(Issuer.claims("sub-b"), "ec-1")))
                        .subaccount());
        assertEquals(1, fetches.get());
    }

    @Test
    void aRotatedKeyIsPickedUpWithoutARestartAndUnknownKidsAreRateLimited() throws Exception {
        await(validator.validate(issuer.token("sub-a")));
        issuer.addRsa("rsa-2");
        // Issuers publish a new key before they sign with it; a while later a token names it.
        nanos.addAndGet(Duration.ofSeconds(11).toNanos());
        assertEquals(
                "sub-a",
                await(validator.validate(issuer.sign(Issuer.claims("sub-a"), "rsa-2")))
                        .subaccount());
        assertEquals(2, fetches.get());
        // A kid the issuer does not have: one more fetch, then refused without fetching again.
        nanos.addAndGet(Duration.ofSeconds(11).toNanos());
        TokenException first = refusal(validator.validate(JwtClaimsTokens.forgeKid(issuer, "rsa-404")));
        assertEquals(TokenException.Kind.UNKNOWN_KEY, first.kind());
        assertEquals("the token's key id 'rsa-404' is not one of the issuer's keys", first.getMessage());
        int after = fetches.get();
        for (int i = 0; i < 20; i++) {
            assertEquals(
                    TokenException.Kind.UNKNOWN_KEY,
                    refusal(validator.validate(JwtClaimsTokens.forgeKid(issuer, "rsa-404")))
                            .kind());
        }
        assertEquals(after, fetches.get(), "unknown kids are fetched at most once per minimum interval");
        nanos.addAndGet(Duration.ofSeconds(11).toNanos());
        refusal(validator.validate(JwtClaimsTokens.forgeKid(issuer, "rsa-404")));
        assertEquals(after + 1, fetches.get());
    }

    @Test
    void knownKeysServeWhileTheIssuerIsDown() throws Exception {
        await(validator.validate(issuer.token("sub-a")));
        down = true;
        nanos.addAndGet(Duration.ofMinutes(11).toNanos());
        // Due for a refresh, which fails: the key in hand still checks new tokens.
        assertEquals("sub-b", await(validator.validate(issuer.token("sub-b"))).subaccount());
        assertEquals("sub-c", await(validator.validate(issuer.token("sub-c"))).subaccount());
    }

    @Test
    void withoutAnyKeyTheIssuerBeingDownIsSaid() throws Exception {
        down = true;
        TokenException e = refusal(validator.validate(issuer.token("sub-a")));
        assertEquals(TokenException.Kind.KEYS_UNAVAILABLE, e.kind());
    }

    @Test
    void anIssuerNotAllowedIsRefusedBeforeAnyFetch() throws Exception {
        org.jose4j.jwt.JwtClaims claims = Issuer.claims("sub-a");
        claims.setIssuer("https://evil.test/oauth/token");
        TokenException e = refusal(validator.validate(issuer.token(claims)));
        assertEquals(TokenException.Kind.ISSUER, e.kind());
        assertEquals(0, fetches.get());
    }

    @Test
    void theJwksUrlOfAnXsuaaIssuer() {
        assertEquals(
                "https://sub.authentication.eu10.hana.ondemand.com/token_keys",
                TokenValidator.jwksUrlOf("https://sub.authentication.eu10.hana.ondemand.com/oauth/token"));
        assertEquals("https://idp.test/token_keys", TokenValidator.jwksUrlOf("https://idp.test/"));
    }

    /** Tokens signed by a known key but naming a key id the issuer does not publish. */
    static final class JwtClaimsTokens {
        static String forgeKid(Issuer issuer, String kid) throws Exception {
            org.jose4j.jws.JsonWebSignature jws = new org.jose4j.jws.JsonWebSignature();
            jws.setPayload(Issuer.claims("sub-a").toJson());
            jws.setKey(issuer.key("rsa-1").getPrivateKey());
            jws.setKeyIdHeaderValue(kid);
            jws.setAlgorithmHeaderValue(org.jose4j.jws.AlgorithmIdentifiers.RSA_USING_SHA256);
            return jws.getCompactSerialization();
        }
    }
}

package io.connectivityproxy.e2e;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.keys.HmacKey;

import io.connectivityproxy.cluster.CertificateAuthority;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;

/**
 * A real OAuth token issuer for the tests, shaped like XSUAA: its own RSA and EC keys, a JWKS at
 * {@code https://localhost:<port>/token_keys} with a certificate from its own CA, and tokens with
 * SAP's claims (client_id, ext_attr.subaccountid, zid). Keys can be added (rotation) and the
 * endpoint taken down.
 */
final class TokenIssuer implements AutoCloseable {

    static final String CLIENT = "sb-connectivity-proxy!b7";

    final Path ca;
    final AtomicInteger fetches = new AtomicInteger();
    private final List<PublicJsonWebKey> keys = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private volatile boolean down;

    TokenIssuer(Vertx vertx, Path dir) throws Exception {
        CertificateAuthority authority = CertificateAuthority.create("token issuer CA");
        authority
                .issueServer("localhost", List.of("localhost"), List.of("127.0.0.1"))
                .write(dir, "issuer");
        authority.ca().write(dir, "issuer-ca");
        ca = dir.resolve("issuer-ca.pem");
        addRsa("rsa-1");
        addEc("ec-1");
        server = vertx.createHttpServer(new HttpServerOptions()
                        .setSsl(true)
                        .setKeyCertOptions(new PemKeyCertOptions()
                                .setCertPath(dir.resolve("issuer.pem").toString())
                                .setKeyPath(dir.resolve("issuer-key.pem").toString())))
                .requestHandler(request -> {
                    fetches.incrementAndGet();
                    if (down) {
                        request.connection().close();
                    } else if (request.path().equals("/token_keys")) {
                        request.response()
                                .putHeader("Content-Type", "application/json")
                                .end(new JsonWebKeySet(keys.toArray(new JsonWebKey[0]))
                                        .toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
                    } else {
                        request.response().setStatusCode(404).end();
                    }
                });
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** The {@code iss} of this issuer's tokens (XSUAA's form: its URL plus /oauth/token). */
    String url() {
        return "https://localhost:" + server.actualPort() + "/oauth/token";
    }

    void addRsa(String kid) throws Exception {
        PublicJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
        key.setKeyId(kid);
        keys.add(key);
    }

    void addEc(String kid) throws Exception {
        PublicJsonWebKey key = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        key.setKeyId(kid);
        keys.add(key);
    }

    void down(boolean down) {
        this.down = down;
    }

    private PublicJsonWebKey key(String kid) {
        return keys.stream().filter(k -> kid.equals(k.getKeyId())).findFirst().orElseThrow();
    }

    /** Claims of a valid token of {@code subaccount}, ten minutes long. */
    JwtClaims claims(String subaccount) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(url());
        claims.setClaim("client_id", CLIENT);
        claims.setClaim("ext_attr", Map.of("subaccountid", subaccount));
        claims.setClaim("zid", "zone-" + subaccount);
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(10);
        return claims;
    }

    String token(String subaccount) throws Exception {
        return sign(claims(subaccount), "rsa-1");
    }

    String sign(JwtClaims claims, String kid) throws Exception {
        PublicJsonWebKey key = key(kid);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(kid);
        jws.setAlgorithmHeaderValue(
                "EC".equals(key.getKeyType())
                        ? AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256
                        : AlgorithmIdentifiers.RSA_USING_SHA256);
        return jws.getCompactSerialization();
    }

    /** Signed with {@code kid}'s key but naming {@code claimedKid}. */
    String signClaimingKid(JwtClaims claims, String kid, String claimedKid) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key(kid).getPrivateKey());
        jws.setKeyIdHeaderValue(claimedKid);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        return jws.getCompactSerialization();
    }

    /** A token of another key pair that claims this issuer and kid rsa-1. */
    String forged(String subaccount) throws Exception {
        PublicJsonWebKey other = RsaJwkGenerator.generateJwk(2048);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims(subaccount).toJson());
        jws.setKey(other.getPrivateKey());
        jws.setKeyIdHeaderValue("rsa-1");
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        return jws.getCompactSerialization();
    }

    static String unsigned(JwtClaims claims) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.NONE);
        jws.setAlgorithmConstraints(AlgorithmConstraints.NO_CONSTRAINTS);
        return jws.getCompactSerialization();
    }

    /** HS256 keyed with the issuer's public RSA key: the key-confusion attack. */
    String hmacWithPublicKey(JwtClaims claims) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(new HmacKey(key("rsa-1").getPublicKey().getEncoded()));
        jws.setKeyIdHeaderValue("rsa-1");
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        jws.setDoKeyValidation(false);
        return jws.getCompactSerialization();
    }

    @Override
    public void close() {
        server.close();
    }
}

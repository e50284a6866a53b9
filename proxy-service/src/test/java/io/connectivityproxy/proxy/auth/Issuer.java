package io.connectivityproxy.proxy.auth;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

/** A token issuer for tests: its own RSA and EC keys, its JWKS, and tokens it signs as XSUAA would. */
final class Issuer {

    static final String URL = "https://issuer.test/oauth/token";
    static final String CLIENT = "sb-connectivity-proxy";

    /** Added to by the test thread, read by the JWKS server's event loop. */
    final List<PublicJsonWebKey> keys = new CopyOnWriteArrayList<>();

    Issuer() throws JoseException {
        addRsa("rsa-1");
        addEc("ec-1");
    }

    PublicJsonWebKey addRsa(String kid) throws JoseException {
        PublicJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
        key.setKeyId(kid);
        keys.add(key);
        return key;
    }

    PublicJsonWebKey addEc(String kid) throws JoseException {
        PublicJsonWebKey key = EcJwkGenerator.generateJwk(EllipticCurves.P256);
        key.setKeyId(kid);
        keys.add(key);
        return key;
    }

    PublicJsonWebKey key(String kid) {
        return keys.stream().filter(k -> kid.equals(k.getKeyId())).findFirst().orElseThrow();
    }

    /** The JWKS document: public keys only. */
    String jwks() {
        return new JsonWebKeySet(keys.toArray(new JsonWebKey[0])).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    }

    /** Claims of a valid token for {@code subaccount}, valid for ten minutes from now. */
    static JwtClaims claims(String subaccount) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(URL);
        claims.setClaim("client_id", CLIENT);
        claims.setClaim("ext_attr", Map.of("subaccountid", subaccount, "enhancer", "XSUAA"));
        claims.setClaim("zid", "zone-of-" + subaccount);
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(10);
        claims.setAudience("sb-connectivity-proxy", "uaa");
        return claims;
    }

    String sign(JwtClaims claims, String kid) throws JoseException {
        PublicJsonWebKey key = key(kid);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(kid);
        jws.setAlgorithmHeaderValue(
                key.getKeyType().equals("EC")
                        ? AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256
                        : AlgorithmIdentifiers.RSA_USING_SHA256);
        return jws.getCompactSerialization();
    }

    String token(String subaccount) throws JoseException {
        return sign(claims(subaccount), "rsa-1");
    }

    String token(JwtClaims claims) throws JoseException {
        return sign(claims, "rsa-1");
    }

    /** An unsigned token (alg none), as an attacker would send it. */
    static String unsigned(JwtClaims claims) throws JoseException {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.NONE);
        jws.setAlgorithmConstraints(org.jose4j.jwa.AlgorithmConstraints.NO_CONSTRAINTS);
        return jws.getCompactSerialization();
    }

    /** HS256 with the issuer's public key as the shared secret: the classic key-confusion attack. */
    String hmacWithPublicKey(JwtClaims claims, String kid) throws JoseException {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(new HmacKey(key(kid).getPublicKey().getEncoded()));
        jws.setKeyIdHeaderValue(kid);
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        jws.setDoKeyValidation(false);
        return jws.getCompactSerialization();
    }

    static NumericDate minutesFromNow(int minutes) {
        NumericDate date = NumericDate.now();
        date.addSeconds(minutes * 60L);
        return date;
    }
}

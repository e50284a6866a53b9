package io.connectivityproxy.proxy.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SAP's token rules: what passes, and one clear refusal per way a token can be wrong. */
class TokenRulesTest {

    private static Issuer issuer;
    private static Issuer stranger;

    @BeforeAll
    static void keys() throws Exception {
        issuer = new Issuer();
        stranger = new Issuer();
    }

    private static TokenRules.Principal check(String token) throws TokenException {
        TokenRules.Unverified unverified = TokenRules.firstLook(token);
        return TokenRules.verify(unverified, issuer.key(unverified.keyId()).getPublicKey(), Issuer.CLIENT, 30);
    }

    private static TokenException refused(String token) {
        return assertThrows(TokenException.class, () -> check(token));
    }

    @Test
    void rsaAndEcTokensOfTheIssuerPass() throws Exception {
        TokenRules.Principal rsa = check(issuer.sign(Issuer.claims("sub-a"), "rsa-1"));
        assertEquals("sub-a", rsa.subaccount());
        assertEquals(Issuer.CLIENT, rsa.clientId());
        assertEquals(Issuer.URL, rsa.issuer());
        assertEquals("sub-b", check(issuer.sign(Issuer.claims("sub-b"), "ec-1")).subaccount());
    }

    @Test
    void theSubaccountIsExtAttrSubaccountIdElseZid() throws Exception {
        JwtClaims claims = Issuer.claims("ignored");
        claims.unsetClaim("ext_attr");
        claims.setClaim("zid", "zone-7");
        assertEquals("zone-7", check(issuer.token(claims)).subaccount());
        claims.unsetClaim("zid");
        TokenException e = refused(issuer.token(claims));
        assertEquals(TokenException.Kind.SUBACCOUNT, e.kind());
        assertEquals("the token names no subaccount (ext_attr.subaccountid or zid)", e.getMessage());
    }

    @Test
    void theClientIdIsClientIdElseAzpElseCid() throws Exception {
        JwtClaims claims = Issuer.claims("sub-a");
        claims.unsetClaim("client_id");
        claims.setClaim("azp", Issuer.CLIENT);
        assertEquals(Issuer.CLIENT, check(issuer.token(claims)).clientId());
        claims.unsetClaim("azp");
        claims.setClaim("cid", Issuer.CLIENT);
        assertEquals(Issuer.CLIENT, check(issuer.token(claims)).clientId());
        claims.setClaim("cid", "someone-else");
        TokenException e = refused(issuer.token(claims));
        assertEquals(TokenException.Kind.CLIENT_ID, e.kind());
        assertEquals("the token's client id 'someone-else' is not the allowed client id", e.getMessage());
    }

    @Test
    void expiredNotYetValidAndIssuedInTheFutureAreRefused() throws Exception {
        JwtClaims expired = Issuer.claims("sub-a");
        expired.setExpirationTime(Issuer.minutesFromNow(-2));
        assertEquals("the token has expired", refused(issuer.token(expired)).getMessage());

        JwtClaims early = Issuer.claims("sub-a");
        early.setNotBefore(Issuer.minutesFromNow(5));
        assertEquals(
                TokenException.Kind.NOT_YET_VALID, refused(issuer.token(early)).kind());

        JwtClaims future = Issuer.claims("sub-a");
        future.setIssuedAt(Issuer.minutesFromNow(5));
        assertEquals(
                "the token is issued in the future (iat)",
                refused(issuer.token(future)).getMessage());

        JwtClaims noExpiry = Issuer.claims("sub-a");
        noExpiry.unsetClaim("exp");
        assertEquals(
                "the token has no expiry (exp)", refused(issuer.token(noExpiry)).getMessage());
    }

    @Test
    void withinTheClockSkewATokenStillPasses() throws Exception {
        JwtClaims claims = Issuer.claims("sub-a");
        claims.setIssuedAt(Issuer.minutesFromNow(-5));
        NumericDate justExpired = NumericDate.now();
        justExpired.addSeconds(-10);
        claims.setExpirationTime(justExpired);
        assertEquals("sub-a", check(issuer.token(claims)).subaccount());
    }

    @Test
    void aSignatureOfAnotherKeyIsRefused() throws Exception {
        // The stranger's key has the same kid: only the signature tells them apart.
        TokenException e = refused(stranger.sign(Issuer.claims("sub-a"), "rsa-1"));
        assertEquals(TokenException.Kind.SIGNATURE, e.kind());
        assertEquals("the token's signature is invalid", e.getMessage());
    }

    @Test
    void algNoneAndHmacWithThePublicKeyAreRefusedBeforeAnyKeyIsUsed() throws Exception {
        TokenException none =
                assertThrows(TokenException.class, () -> TokenRules.firstLook(Issuer.unsigned(Issuer.claims("sub-a"))));
        assertEquals(TokenException.Kind.ALGORITHM, none.kind());
        assertEquals(
                "the token's algorithm 'none' is not accepted (RS256, ES256 and the like only)", none.getMessage());
        TokenException hmac = assertThrows(
                TokenException.class,
                () -> TokenRules.firstLook(issuer.hmacWithPublicKey(Issuer.claims("sub-a"), "rsa-1")));
        assertEquals(TokenException.Kind.ALGORITHM, hmac.kind());
    }

    @Test
    void unknownAlgorithmsAreRefused() throws Exception {
        String[] parts = issuer.token("sub-a").split("\\.");
        String header = java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString("{\"alg\":\"XS999\",\"kid\":\"rsa-1\"}".getBytes());
        TokenException e = assertThrows(
                TokenException.class, () -> TokenRules.firstLook(header + "." + parts[1] + "." + parts[2]));
        assertEquals(TokenException.Kind.ALGORITHM, e.kind());
    }

    @Test
    void truncatedAndGarbageTokensAreMalformed() throws Exception {
        String token = issuer.token("sub-a");
        for (String bad : new String[] {
            token.substring(0, token.indexOf('.')),
            "a.b.c",
            "not a jwt",
            "..",
            token.substring(0, token.length() - 10) + "!!!!!!!!!!",
            "e30.e30"
        }) {
            TokenException e = assertThrows(TokenException.class, () -> check(bad), bad);
            assertEquals(
                    true,
                    e.kind() == TokenException.Kind.MALFORMED
                            || e.kind() == TokenException.Kind.SIGNATURE
                            || e.kind() == TokenException.Kind.ALGORITHM,
                    bad + ": " + e.kind());
        }
        assertEquals(
                TokenException.Kind.MISSING,
                assertThrows(TokenException.class, () -> TokenRules.firstLook(""))
                        .kind());
        assertEquals(
                TokenException.Kind.MALFORMED,
                assertThrows(
                                TokenException.class,
                                () -> TokenRules.firstLook("a".repeat(TokenRules.MAX_TOKEN_LENGTH + 1)))
                        .kind());
    }

    @Test
    void aTokenWithoutIssuerIsRefused() throws Exception {
        JwtClaims claims = Issuer.claims("sub-a");
        claims.unsetClaim("iss");
        assertEquals(
                TokenException.Kind.ISSUER,
                assertThrows(TokenException.class, () -> TokenRules.firstLook(issuer.token(claims)))
                        .kind());
    }

    @Test
    void theTrustedModeReadsTheSubaccountWithoutAKey() throws Exception {
        assertEquals("sub-a", TokenRules.trustedSubaccount(stranger.token("sub-a")));
        assertEquals(
                TokenException.Kind.MALFORMED,
                assertThrows(TokenException.class, () -> TokenRules.trustedSubaccount("garbage"))
                        .kind());
        JwtClaims claims = new JwtClaims();
        claims.setClaim("ext_attr", Map.of("other", "x"));
        assertEquals(
                TokenException.Kind.SUBACCOUNT,
                assertThrows(TokenException.class, () -> TokenRules.trustedSubaccount(stranger.token(claims)))
                        .kind());
    }

    @Test
    void messagesNeverCarryControlCharacters() throws Exception {
        JwtClaims claims = Issuer.claims("sub-a");
        claims.setClaim("client_id", "evil\r\nX-Injected: 1");
        String message = refused(issuer.token(claims)).getMessage();
        assertEquals("the token's client id 'evil??X-Injected: 1' is not the allowed client id", message);
    }
}

package io.connectivityproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.connectivityproxy.protocol.FrameCodec;
import io.connectivityproxy.protocol.PrincipalTokens;

/** SAP's two principal propagation headers, read off a request's fields. */
class PrincipalHeadersTest {

    private static final String JWT = "eyJhbGciOiJSUzI1NiJ9.eyJ1c2VyX25hbWUiOiJhbGljZSJ9.c2ln";

    @Test
    void bothHeadersOrNeither() throws Exception {
        assertEquals(PrincipalTokens.NONE, PrincipalHeaders.read(List.of(Map.entry("Authorization", "Bearer x"))));
        assertEquals(
                new PrincipalTokens(JWT, ""),
                PrincipalHeaders.read(List.of(Map.entry("sap-connectivity-authentication", "Bearer " + JWT))));
        assertEquals(
                new PrincipalTokens("", JWT),
                PrincipalHeaders.read(
                        List.of(Map.entry("SAP-Connectivity-Technical-Authentication", "bearer   " + JWT + " "))));
        assertEquals(
                new PrincipalTokens("u.u.u", "t.t.t"),
                PrincipalHeaders.read(List.of(
                        Map.entry("SAP-Connectivity-Authentication", "Bearer u.u.u"),
                        Map.entry("SAP-Connectivity-Technical-Authentication", "BEARER t.t.t"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Bearer a b", "Bearer caf\u00e9", JWT})
    void malformedHeadersAreRefusedWithoutQuotingTheToken(String value) {
        PrincipalHeaders.Malformed e = assertThrows(
                PrincipalHeaders.Malformed.class,
                () -> PrincipalHeaders.read(List.of(Map.entry("SAP-Connectivity-Authentication", value))));
        assertFalse(e.getMessage().contains("dXNl") || e.getMessage().contains("eyJ"), e.getMessage());
        assertFalse(e.getMessage().isEmpty());
    }

    @Test
    void repeatedOrOverlongTokensAreRefused() throws Exception {
        assertEquals(
                "SAP-Connectivity-Technical-Authentication is given more than once",
                assertThrows(
                                PrincipalHeaders.Malformed.class,
                                () -> PrincipalHeaders.read(List.of(
                                        Map.entry("SAP-Connectivity-Technical-Authentication", "Bearer a"),
                                        Map.entry("SAP-Connectivity-Technical-Authentication", "Bearer b"))))
                        .getMessage());
        String longest = "a".repeat(FrameCodec.MAX_TOKEN_LENGTH);
        assertEquals(
                longest,
                PrincipalHeaders.read(List.of(Map.entry("SAP-Connectivity-Authentication", "Bearer " + longest)))
                        .user());
        assertThrows(
                PrincipalHeaders.Malformed.class,
                () -> PrincipalHeaders.read(
                        List.of(Map.entry("SAP-Connectivity-Authentication", "Bearer " + longest + "a"))));
    }
}

package io.connectivityproxy.connector.principal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** SAP's ${name} resolution order and the other variables, from claims alone. */
class PrincipalTest {

    private static final List<String> BUSINESS = List.of("user_name", "email", "mail", "user_uuid", "sub");
    private static final List<String> TECHNICAL = List.of("client_id", "cid", "sub", "azp");

    @Test
    void businessNameFollowsSapsOrder() {
        assertOrder(UserType.BUSINESS, BUSINESS);
    }

    @Test
    void technicalNameFollowsSapsOrder() {
        assertOrder(UserType.TECHNICAL, TECHNICAL);
    }

    /** With claims c1..cn all present, ${name} is c1; without c1 it is c2; and so on. */
    private static void assertOrder(UserType type, List<String> order) {
        for (int first = 0; first < order.size(); first++) {
            Map<String, Object> claims = new HashMap<>();
            for (int i = first; i < order.size(); i++) {
                claims.put(order.get(i), "value-of-" + order.get(i));
            }
            assertEquals(
                    "value-of-" + order.get(first),
                    Principal.of(type, claims).variable("name"),
                    type + " with claims " + claims.keySet());
        }
        assertNull(Principal.of(type, Map.of()).variable("name"));
    }

    @Test
    void businessClaimsDoNotNameATechnicalUserAndTheOtherWayRound() {
        assertNull(Principal.of(UserType.TECHNICAL, Map.of("user_name", "alice", "email", "a@x"))
                .variable("name"));
        assertNull(Principal.of(UserType.BUSINESS, Map.of("client_id", "sb-app", "cid", "c", "azp", "z"))
                .variable("name"));
        assertEquals("z", Principal.of(UserType.TECHNICAL, Map.of("azp", "z")).variable("name"));
    }

    @Test
    void blankAndNonStringClaimsAreSkipped() {
        Map<String, Object> claims = new HashMap<>();
        claims.put("user_name", "  ");
        claims.put("email", List.of("a@x"));
        claims.put("mail", 42);
        claims.put("user_uuid", " 1234-uuid ");
        assertEquals("1234-uuid", Principal.of(UserType.BUSINESS, claims).variable("name"));
    }

    @Test
    void otherVariables() {
        Principal alice = Principal.of(
                UserType.BUSINESS,
                Map.of(
                        "user_name",
                        "alice",
                        "mail",
                        "alice@mail.example",
                        "user_id",
                        "u-1",
                        "given_name",
                        "Alice",
                        "family_name",
                        "Liddell"));
        assertEquals("alice@mail.example", alice.variable("mail"));
        assertEquals("alice@mail.example", alice.variable("email"));
        assertEquals("u-1", alice.variable("user_uuid"));
        assertEquals("alice", alice.variable("login_name"));
        assertEquals("Alice Liddell", alice.variable("display_name"));
        assertEquals("Business", alice.variable("user_type"));
        Principal bob = Principal.of(
                UserType.BUSINESS,
                Map.of(
                        "email",
                        "bob@e.example",
                        "mail",
                        "bob@m.example",
                        "user_uuid",
                        "u-2",
                        "login_name",
                        "BOB",
                        "user_name",
                        "bob",
                        "display_name",
                        "Bob B."));
        assertEquals("bob@m.example", bob.variable("mail"));
        assertEquals("bob@e.example", bob.variable("email"));
        assertEquals("u-2", bob.variable("user_uuid"));
        assertEquals("BOB", bob.variable("login_name"));
        assertEquals("Bob B.", bob.variable("display_name"));
        assertEquals(
                "Technical",
                Principal.of(UserType.TECHNICAL, Map.of("cid", "c")).variable("user_type"));
    }
}

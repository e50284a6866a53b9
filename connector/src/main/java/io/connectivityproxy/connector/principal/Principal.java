package io.connectivityproxy.connector.principal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checked token's user, as subject rules see it: the user type and the values of SAP's
 * variables ({@code name}, {@code mail}, {@code email}, {@code user_uuid}, {@code login_name},
 * {@code display_name}, {@code user_type}), each resolved from the token's claims in a fixed
 * order. Pure: built from the claims map, no JOSE library needed.
 */
public record Principal(UserType type, Map<String, String> variables) {

    /** The variables subject rules may name, in the order the README lists them. */
    public static final List<String> VARIABLES =
            List.of("name", "mail", "email", "user_uuid", "login_name", "display_name", "user_type");

    /** SAP's order for {@code ${name}} of a business user. */
    static final List<String> BUSINESS_NAME = List.of("user_name", "email", "mail", "user_uuid", "sub");
    /** SAP's order for {@code ${name}} of a technical user. */
    static final List<String> TECHNICAL_NAME = List.of("client_id", "cid", "sub", "azp");

    public Principal {
        variables = Map.copyOf(variables);
    }

    /** The user a token's claims describe; variables without a value are absent. */
    public static Principal of(UserType type, Map<String, Object> claims) {
        Map<String, String> values = new LinkedHashMap<>();
        put(values, "name", first(claims, type == UserType.BUSINESS ? BUSINESS_NAME : TECHNICAL_NAME));
        put(values, "mail", first(claims, List.of("mail", "email")));
        put(values, "email", first(claims, List.of("email", "mail")));
        put(values, "user_uuid", first(claims, List.of("user_uuid", "user_id")));
        put(values, "login_name", first(claims, List.of("login_name", "user_name")));
        String display = first(claims, List.of("display_name"));
        if (display == null) {
            String given = first(claims, List.of("given_name"));
            String family = first(claims, List.of("family_name"));
            display = given != null && family != null ? given + " " + family : null;
        }
        put(values, "display_name", display);
        values.put("user_type", type.label());
        return new Principal(type, values);
    }

    /** The variable's value, or null when the token has none. */
    public String variable(String name) {
        return variables.get(name);
    }

    private static void put(Map<String, String> values, String name, String value) {
        if (value != null) {
            values.put(name, value);
        }
    }

    /** The first claim of {@code names} that is a non-blank string. */
    private static String first(Map<String, Object> claims, List<String> names) {
        for (String name : names) {
            if (claims.get(name) instanceof String text && !text.isBlank()) {
                return text.trim();
            }
        }
        return null;
    }
}

package io.connectivityproxy.connector.principal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * One of SAP's subject rules: a distinguished name pattern such as
 * {@code CN=${name}, OU=Users, O=ACME} and an optional condition on {@code ${user_type}}.
 * Pure code. The pattern is split into attributes when the configuration is read, so a
 * variable's value always lands inside one attribute value: a user named {@code a, O=evil}
 * becomes the common name {@code a, O=evil}, never a second attribute.
 */
public final class SubjectRule {

    /** The longest value a variable may put into one attribute. */
    static final int MAX_VALUE_LENGTH = 256;

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]*)}");

    private record Attribute(String name, ASN1ObjectIdentifier oid, String template) {}

    private final String pattern;
    private final UserType condition;
    private final List<Attribute> attributes;

    private SubjectRule(String pattern, UserType condition, List<Attribute> attributes) {
        this.pattern = pattern;
        this.condition = condition;
        this.attributes = attributes;
    }

    /**
     * Parses a rule; {@code condition} null applies to both user types. Throws
     * {@link IllegalArgumentException} with a message for people (the caller names the field).
     */
    public static SubjectRule parse(String pattern, UserType condition) {
        if (pattern == null || pattern.isBlank()) {
            throw new IllegalArgumentException("must be a distinguished name pattern like CN=${name}");
        }
        List<Attribute> attributes = new ArrayList<>();
        for (String part : pattern.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + part.trim() + "' is not ATTRIBUTE=value (e.g. CN=${name}); "
                        + "commas separate attributes");
            }
            String name = part.substring(0, eq).trim();
            String template = part.substring(eq + 1).trim();
            ASN1ObjectIdentifier oid;
            try {
                oid = BCStyle.INSTANCE.attrNameToOID(name);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "unknown attribute '" + name + "' (use e.g. CN, OU, O, L, ST, C, E, UID)");
            }
            if (template.isEmpty()) {
                throw new IllegalArgumentException("attribute " + name + " has no value");
            }
            Matcher matcher = VARIABLE.matcher(template);
            while (matcher.find()) {
                if (!Principal.VARIABLES.contains(matcher.group(1))) {
                    throw new IllegalArgumentException("unknown variable ${" + matcher.group(1) + "} (use "
                            + String.join(
                                    ", ",
                                    Principal.VARIABLES.stream()
                                            .map(v -> "${" + v + "}")
                                            .toList()) + ")");
                }
            }
            if (template.replaceAll(VARIABLE.pattern(), "").contains("$")) {
                throw new IllegalArgumentException("'" + template + "' has a '$' that starts no ${variable}");
            }
            attributes.add(new Attribute(name.toUpperCase(Locale.ROOT), oid, template));
        }
        return new SubjectRule(pattern, condition, List.copyOf(attributes));
    }

    /** The pattern as configured. */
    public String pattern() {
        return pattern;
    }

    /** The user type this rule is for; null for both. */
    public UserType condition() {
        return condition;
    }

    /**
     * The subject for {@code principal}, or null when the rule does not apply: another user type,
     * a variable without a value, or a value that cannot be an attribute value.
     */
    public X500Principal subjectFor(Principal principal) {
        if (condition != null && condition != principal.type()) {
            return null;
        }
        X500NameBuilder builder = new X500NameBuilder(BCStyle.INSTANCE);
        // The ASN.1 sequence runs from the most general attribute to the most specific one, the
        // reverse of how the pattern (RFC 4514 string order) writes them.
        for (int i = attributes.size() - 1; i >= 0; i--) {
            Attribute attribute = attributes.get(i);
            String value = substitute(attribute.template(), principal);
            if (value == null) {
                return null;
            }
            // BCStyle reads a leading '#' as a hex-encoded value and strips a leading '\'.
            String literal = value.startsWith("#") || value.startsWith("\\") ? "\\" + value : value;
            try {
                builder.addRDN(attribute.oid(), literal);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        try {
            return new X500Principal(builder.build().getEncoded());
        } catch (java.io.IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String substitute(String template, Principal principal) {
        Matcher matcher = VARIABLE.matcher(template);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String value = principal.variable(matcher.group(1));
            if (value == null) {
                return null;
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(out);
        String value = out.toString();
        if (value.isBlank() || value.length() > MAX_VALUE_LENGTH) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return null;
            }
        }
        return value;
    }

    @Override
    public String toString() {
        return pattern + (condition == null ? "" : " (" + condition.label() + ")");
    }
}

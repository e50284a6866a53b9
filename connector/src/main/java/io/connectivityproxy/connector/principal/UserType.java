package io.connectivityproxy.connector.principal;

/**
 * SAP's {@code ${user_type}}: whose token the request carried. The header decides it:
 * {@code SAP-Connectivity-Authentication} carries a business user's token,
 * {@code SAP-Connectivity-Technical-Authentication} a technical user's (client credentials).
 */
public enum UserType {
    BUSINESS("Business"),
    TECHNICAL("Technical");

    private final String label;

    UserType(String label) {
        this.label = label;
    }

    /** How SAP writes it in subject rules: {@code Business} or {@code Technical}. */
    public String label() {
        return label;
    }

    /** The type for its label, case-insensitive; null for anything else. */
    public static UserType ofLabel(String text) {
        for (UserType type : values()) {
            if (type.label.equalsIgnoreCase(text)) {
                return type;
            }
        }
        return null;
    }
}

package io.connectivityproxy.tunnel;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Who a connector is: the subaccount id, taken from the CN of its client certificate's subject,
 * either from the TLS session or from the {@code X-Forwarded-Client-Cert} header an ingress
 * gateway sets after terminating mutual TLS (Envoy's format: {@code ;}-separated key=value
 * pairs, values optionally quoted, one {@code ,}-separated element per proxy hop).
 */
public final class ClientIdentity {

    private ClientIdentity() {}

    /** The CN of an RFC 2253 distinguished name, if it has exactly one. */
    public static Optional<String> commonName(String distinguishedName) {
        try {
            List<String> cns = new ArrayList<>();
            for (Rdn rdn : new LdapName(distinguishedName).getRdns()) {
                // A multi-valued RDN (CN=a+CN=b) holds several attributes; each counts.
                NamingEnumeration<? extends Attribute> attributes =
                        rdn.toAttributes().getAll();
                while (attributes.hasMore()) {
                    Attribute attribute = attributes.next();
                    if ("CN".equalsIgnoreCase(attribute.getID())) {
                        for (int i = 0; i < attribute.size(); i++) {
                            cns.add(String.valueOf(attribute.get(i)));
                        }
                    }
                }
            }
            return cns.size() == 1 ? Optional.of(cns.get(0)) : Optional.empty();
        } catch (NamingException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The {@code Subject} of the last element of an {@code X-Forwarded-Client-Cert} header (the
     * one the nearest proxy, our gateway, added), if present and well-formed.
     */
    public static Optional<String> forwardedSubject(String header) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        List<List<String[]>> elements = parseElements(header);
        if (elements == null || elements.isEmpty()) {
            return Optional.empty();
        }
        for (String[] pair : elements.get(elements.size() - 1)) {
            if ("Subject".equalsIgnoreCase(pair[0])) {
                return Optional.of(pair[1]);
            }
        }
        return Optional.empty();
    }

    /** Splits the header into elements of key=value pairs; null when a quote is unbalanced. */
    private static List<List<String[]>> parseElements(String header) {
        List<List<String[]>> elements = new ArrayList<>();
        List<String[]> pairs = new ArrayList<>();
        StringBuilder token = new StringBuilder();
        String key = null;
        boolean quoted = false;
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (quoted) {
                if (c == '\\' && i + 1 < header.length()) {
                    token.append(header.charAt(++i));
                } else if (c == '"') {
                    quoted = false;
                } else {
                    token.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '=' && key == null) {
                key = token.toString().trim();
                token.setLength(0);
            } else if (c == ';' || c == ',') {
                if (key != null) {
                    pairs.add(new String[] {key, token.toString().trim()});
                }
                key = null;
                token.setLength(0);
                if (c == ',') {
                    elements.add(pairs);
                    pairs = new ArrayList<>();
                }
            } else {
                token.append(c);
            }
        }
        if (quoted) {
            return null;
        }
        if (key != null) {
            pairs.add(new String[] {key, token.toString().trim()});
        }
        elements.add(pairs);
        return elements;
    }
}

package io.connectivityproxy.protocol.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Field-list helpers: names compare case-insensitively (RFC 9110 section 5.1). */
public final class Fields {

    private Fields() {}

    public static String first(List<Map.Entry<String, String>> fields, String name) {
        for (Map.Entry<String, String> field : fields) {
            if (field.getKey().equalsIgnoreCase(name)) {
                return field.getValue();
            }
        }
        return null;
    }

    public static boolean has(List<Map.Entry<String, String>> fields, String name) {
        return first(fields, name) != null;
    }

    /**
     * The comma-separated elements of every field with that name, trimmed, lower-cased, empty
     * elements skipped (RFC 9110 section 5.6.1). Quoted strings are not special: the list-valued
     * fields this is used for (Connection, Transfer-Encoding, Expect, Upgrade) hold tokens.
     */
    public static List<String> elements(List<Map.Entry<String, String>> fields, String name) {
        List<String> elements = new ArrayList<>();
        for (Map.Entry<String, String> field : fields) {
            if (field.getKey().equalsIgnoreCase(name)) {
                for (String element : field.getValue().split(",", -1)) {
                    String trimmed = element.trim();
                    if (!trimmed.isEmpty()) {
                        elements.add(trimmed.toLowerCase(Locale.ROOT));
                    }
                }
            }
        }
        return elements;
    }

    /** True if a list-valued field has the element (case-insensitive). */
    public static boolean hasElement(List<Map.Entry<String, String>> fields, String name, String element) {
        return elements(fields, name).contains(element.toLowerCase(Locale.ROOT));
    }
}

package io.connectivityproxy.protocol;

import java.util.regex.Pattern;

/** The form of subaccount and location ids, shared by the connector, the handshake and the registry. */
public final class Ids {

    /** Letters, digits, '.', '_', '~', '-'; at most 128. Location ids may be empty (the default location). */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9._~-]{0,128}");

    private Ids() {}

    /** True for a well-formed (possibly empty) id. */
    public static boolean valid(String id) {
        return id != null && ID.matcher(id).matches();
    }
}

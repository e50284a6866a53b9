package io.connectivityproxy.tunnel.channel;

/**
 * Text that came from a connector or a resource author, made fit for a log line or a refusal
 * message: printable ASCII only (anything else becomes {@code ?}) and at most
 * {@value #MAX_CHARS} characters, so no value can forge log lines or blow up a message.
 */
final class Untrusted {

    static final int MAX_CHARS = 100;

    private Untrusted() {}

    /** The value escaped and shortened; {@code (none)} for null. */
    static String text(String value) {
        return text(value, MAX_CHARS);
    }

    /** The value escaped and shortened to {@code maxChars} (and "..."); {@code (none)} for null. */
    static String text(String value, int maxChars) {
        if (value == null) {
            return "(none)";
        }
        int length = Math.min(value.length(), maxChars);
        StringBuilder out = new StringBuilder(length + 3);
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            out.append(c >= 0x20 && c <= 0x7e ? c : '?');
        }
        if (value.length() > maxChars) {
            out.append("...");
        }
        return out.toString();
    }

    /** {@link #text} in single quotes. */
    static String quoted(String value) {
        return value == null ? "(none)" : "'" + text(value) + "'";
    }

    /** A location id as the logs show it: {@code (default)} for the empty id. */
    static String location(String locationId) {
        return locationId == null || locationId.isEmpty() ? "(default)" : quoted(locationId);
    }
}

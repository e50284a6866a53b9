package io.connectivityproxy.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.vertx.core.http.HttpServerResponse;

/**
 * Builds the read-only HTML status page each executable serves on its management port
 * ({@code GET /admin/status}, for {@code kubectl port-forward}). Server-side HTML only: no
 * script, no external asset, every piece of text escaped, so a hostile connector id or host
 * name shows as text and never as markup. Pure: no I/O.
 */
public final class StatusPage {

    /** Served with every page: nothing but inline style may load or run, whatever a value contains. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'";

    /** Sends a rendered page with the headers every status page carries: HTML, the policy above, no caching. */
    public static void send(HttpServerResponse response, String html) {
        response.putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .putHeader("Cache-Control", "no-store")
                .end(html);
    }

    private static final String STYLE = "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
            + "h1{font-size:1.4em;margin:0}h2{font-size:1.1em;margin:1.4em 0 .4em}"
            + ".sub{color:#666;margin:.2em 0 1em}table{border-collapse:collapse;margin:.2em 0}"
            + "th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}"
            + "th{background:#f3f3f3}dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}"
            + "dt{font-weight:600}dd{margin:0}.ok{color:#176b1e}.fail{color:#b00020;font-weight:600}"
            + ".empty{color:#666;font-style:italic}";

    private final StringBuilder html = new StringBuilder(8192);

    /** Starts a page; it reloads itself every {@code refresh} (zero: never). */
    public StatusPage(String title, String subtitle, Duration refresh) {
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        if (!refresh.isZero()) {
            html.append("<meta http-equiv=\"refresh\" content=\"")
                    .append(refresh.toSeconds())
                    .append("\">");
        }
        html.append("<title>")
                .append(escape(title))
                .append("</title><style>")
                .append(STYLE)
                .append("</style></head><body>\n<h1>")
                .append(escape(title))
                .append("</h1>\n<p class=\"sub\">")
                .append(escape(subtitle))
                .append("</p>\n");
    }

    /** A heading that starts a section. */
    public StatusPage section(String heading) {
        html.append("<h2>").append(escape(heading)).append("</h2>\n");
        return this;
    }

    /** A line of text; {@code css} is {@code ok}, {@code fail} or empty. */
    public StatusPage paragraph(String id, String css, String text) {
        html.append("<p id=\"").append(escape(id)).append('"');
        if (!css.isEmpty()) {
            html.append(" class=\"").append(escape(css)).append('"');
        }
        html.append('>').append(escape(text)).append("</p>\n");
        return this;
    }

    /** Name-value pairs, in the map's order. */
    public StatusPage facts(String id, Map<String, String> facts) {
        html.append("<dl id=\"").append(escape(id)).append("\">");
        facts.forEach((name, value) -> html.append("<dt>")
                .append(escape(name))
                .append("</dt><dd>")
                .append(escape(value))
                .append("</dd>"));
        html.append("</dl>\n");
        return this;
    }

    /**
     * A table; without rows it shows {@code empty} instead. A cell that starts with
     * {@link #OK} or {@link #FAIL} is coloured, and the marker is not shown.
     */
    public StatusPage table(String id, List<String> headers, List<List<String>> rows, String empty) {
        if (rows.isEmpty()) {
            return paragraph(id, "empty", empty);
        }
        html.append("<table id=\"").append(escape(id)).append("\"><thead><tr>");
        headers.forEach(header -> html.append("<th>").append(escape(header)).append("</th>"));
        html.append("</tr></thead><tbody>\n");
        for (List<String> row : rows) {
            html.append("<tr>");
            for (String cell : row) {
                String text = cell == null ? "" : cell;
                if (text.startsWith(OK)) {
                    html.append("<td class=\"ok\">").append(escape(text.substring(OK.length())));
                } else if (text.startsWith(FAIL)) {
                    html.append("<td class=\"fail\">").append(escape(text.substring(FAIL.length())));
                } else {
                    html.append("<td>").append(escape(text));
                }
                html.append("</td>");
            }
            html.append("</tr>\n");
        }
        html.append("</tbody></table>\n");
        return this;
    }

    /** Marks a table cell as good (shown in green). */
    public static final String OK = "\u0000ok:";
    /** Marks a table cell as a failure (shown in red). */
    public static final String FAIL = "\u0000fail:";

    public String finish() {
        return html.append("</body></html>\n").toString();
    }

    /** Text as HTML character data or an attribute value: {@code & < > " '} escaped, control characters dropped. */
    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (c >= 0x20 || c == '\n' || c == '\t') {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** How long ago {@code since} was, as people read it: {@code 45s}, {@code 3m 12s}, {@code 2h 5m}, {@code 3d 4h}. */
    public static String age(Instant since, Instant now) {
        if (since == null) {
            return "";
        }
        long seconds = Math.max(0, Duration.between(since, now).toSeconds());
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m " + seconds % 60 + "s";
        }
        if (seconds < 86400) {
            return seconds / 3600 + "h " + seconds % 3600 / 60 + "m";
        }
        return seconds / 86400 + "d " + seconds % 86400 / 3600 + "h";
    }

    /** A byte count as people read it: {@code 512 B}, {@code 1.5 KiB}, {@code 20.0 MiB}. */
    public static String bytes(double count) {
        if (count < 1024) {
            return (long) count + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = count;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}

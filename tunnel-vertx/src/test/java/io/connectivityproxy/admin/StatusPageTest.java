package io.connectivityproxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class StatusPageTest {

    @Test
    void everyValueIsEscapedSoMarkupInDataStaysText() {
        String hostile = "<script>alert('x')</script>\"&";
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("connector " + hostile, hostile);
        String html = new StatusPage("title " + hostile, hostile, Duration.ZERO)
                .section(hostile)
                .paragraph("p", "", hostile)
                .facts("facts", facts)
                .table("t", List.of(hostile), List.of(List.of(hostile), List.of(StatusPage.FAIL + hostile)), "none")
                .finish();
        assertFalse(html.contains("<script>"), html);
        assertFalse(html.contains("'x'"), html);
        assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;"), html);
        assertTrue(html.contains("<td class=\"fail\">&lt;script&gt;"), html);
        assertFalse(html.contains("\u0000"), "the cell markers are not shown");
    }

    @Test
    void escapeDropsControlCharactersButKeepsText() {
        assertEquals("a b\tc\nd", StatusPage.escape("a\u0000 b\tc\nd\u001b"));
        assertEquals("", StatusPage.escape(null));
        assertEquals("Grüße &amp; 日本", StatusPage.escape("Grüße & 日本"));
    }

    @Test
    void anEmptyTableSaysSoInsteadOfShowingAHeaderAlone() {
        String html = new StatusPage("t", "s", Duration.ofSeconds(5))
                .table("sessions", List.of("a"), List.of(), "no sessions")
                .finish();
        assertTrue(html.contains("<p id=\"sessions\" class=\"empty\">no sessions</p>"), html);
        assertFalse(html.contains("<table"), html);
        assertTrue(html.contains("<meta http-equiv=\"refresh\" content=\"5\">"), html);
    }

    @Test
    void agesAndSizesReadAsPeopleWriteThem() {
        Instant now = Instant.parse("2026-01-02T10:00:00Z");
        assertEquals("45s", StatusPage.age(now.minusSeconds(45), now));
        assertEquals("3m 12s", StatusPage.age(now.minusSeconds(192), now));
        assertEquals("2h 5m", StatusPage.age(now.minusSeconds(7500), now));
        assertEquals("3d 4h", StatusPage.age(now.minusSeconds(3 * 86400 + 4 * 3600 + 59), now));
        assertEquals("0s", StatusPage.age(now.plusSeconds(5), now), "a clock step backwards is no negative age");
        assertEquals("512 B", StatusPage.bytes(512));
        assertEquals("1.5 KiB", StatusPage.bytes(1536));
        assertEquals("20.0 MiB", StatusPage.bytes(20 * 1024 * 1024));
    }

    @Test
    void recentRefusalsKeepTheNewestUpToTheirCapacity() {
        Instant start = Instant.parse("2026-01-02T10:00:00Z");
        RecentRefusals recent = new RecentRefusals(3, Clock.fixed(start, ZoneOffset.UTC));
        for (int i = 0; i < 5; i++) {
            recent.add("NO_MAPPING", "refusal " + i);
        }
        List<RecentRefusals.Refusal> list = recent.list();
        assertEquals(
                List.of("refusal 4", "refusal 3", "refusal 2"),
                list.stream().map(RecentRefusals.Refusal::message).toList());
        assertEquals(start, list.get(0).at());
        assertThrows(IllegalArgumentException.class, () -> new RecentRefusals(0, Clock.systemUTC()));
    }

    @Test
    void refusalHistoryCountsWhatCameWithinTheWindow() {
        Instant start = Instant.parse("2026-01-02T10:00:00Z");
        RefusalHistory history = new RefusalHistory(Duration.ofMinutes(15));
        history.record(start, Map.of());
        assertEquals(
                Map.of("NO_MAPPING", 3L),
                history.recent(Map.of("NO_MAPPING", 3L)),
                "everything since the first sample");
        for (int minute = 1; minute <= 20; minute++) {
            // Two refusals a minute, sampled every minute.
            history.record(start.plusSeconds(60L * minute), Map.of("NO_MAPPING", 2L * minute));
        }
        Instant now = start.plusSeconds(20 * 60);
        assertEquals(Duration.ofMinutes(15), history.covered(now));
        assertEquals(
                Map.of("NO_MAPPING", 30L, "TIMEOUT", 1L), history.recent(Map.of("NO_MAPPING", 40L, "TIMEOUT", 1L)));
        assertThrows(IllegalArgumentException.class, () -> new RefusalHistory(Duration.ZERO));
    }
}

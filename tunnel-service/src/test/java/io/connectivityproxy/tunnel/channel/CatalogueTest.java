package io.connectivityproxy.tunnel.channel;

import static io.connectivityproxy.tunnel.channel.ServiceMappingReaderTest.mapping;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.protocol.TargetProtocol;
import io.connectivityproxy.tunnel.channel.ServiceMappingReader.MappingSet;

/** The resolution rules of {@link ServiceChannels#resolve}, in their order, on a catalogue. */
class CatalogueTest {

    private static final String ALL = String.join(
            "---\n",
            mapping(
                    "erp-ssh",
                    "type: TCP",
                    "serviceId: erp-ssh",
                    "internalAddress: ssh.tools.svc.cluster.local:22",
                    "subaccountId: sub-a"),
            mapping(
                    "erp-rfc",
                    "type: RFC",
                    "serviceId: S4H",
                    "internalAddress: 10.0.0.5:3300",
                    "subaccountId: sub-a",
                    "locationIds: [loc1, loc2]"),
            mapping(
                    "both",
                    "type: TCP",
                    "serviceId: both",
                    "internalAddress: both.internal:5432",
                    "subaccountId: sub-a",
                    "locationIds: ['', loc1]"),
            mapping(
                    "b-secret",
                    "type: TCP",
                    "serviceId: secret-db",
                    "internalAddress: secret.b.internal:5432",
                    "subaccountId: sub-b"),
            mapping("dup-1", "type: TCP", "serviceId: dup", "internalAddress: dup1.internal:1", "subaccountId: sub-a"),
            mapping("dup-2", "type: TCP", "serviceId: dup", "internalAddress: dup2.internal:2", "subaccountId: sub-a"));

    private static final Catalogue CATALOGUE = catalogue(ALL);

    private static Catalogue catalogue(String yaml) {
        try {
            MappingSet set = new ServiceMappingReader(TenantMode.SHARED, Optional.empty())
                    .read(MappingFile.documents(yaml.getBytes(StandardCharsets.UTF_8)));
            return Catalogue.of(set, List.of());
        } catch (MappingFile.NotYamlException e) {
            throw new AssertionError(e);
        }
    }

    private static Resolution.Refused refused(Resolution resolution, Reason reason) {
        Resolution.Refused refused = assertInstanceOf(Resolution.Refused.class, resolution);
        assertEquals(reason, refused.reason(), refused.message());
        assertSafe(refused.message());
        return refused;
    }

    /** What every refusal must be: short, printable ASCII, and naming no internal address. */
    private static void assertSafe(String message) {
        assertTrue(message.getBytes(StandardCharsets.UTF_8).length < ServiceChannels.MAX_MESSAGE_BYTES, message);
        assertTrue(message.chars().allMatch(c -> c >= 0x20 && c <= 0x7e), message);
        for (ServiceMappingEntry entry : CATALOGUE.entries()) {
            assertFalse(message.contains(entry.internalHost()), message);
            assertFalse(message.contains(entry.internalAddress()), message);
        }
    }

    @Test
    void found() {
        Resolution.Found found =
                assertInstanceOf(Resolution.Found.class, CATALOGUE.resolve("sub-a", "", TargetProtocol.TCP, "erp-ssh"));
        assertEquals("erp-ssh", found.mapping().name());
        assertEquals("ssh.tools.svc.cluster.local", found.mapping().internalHost());
        assertEquals(22, found.mapping().internalPort());
    }

    @Test
    void disabledComesFirst() {
        assertEquals(
                new Resolution.Refused(
                        Reason.SERVICE_CHANNELS_DISABLED, "service channels are disabled on this installation"),
                Catalogue.DISABLED.resolve("sub-a", "", TargetProtocol.TCP, "erp-ssh"));
        assertEquals(
                Reason.SERVICE_CHANNELS_DISABLED,
                refused(
                                Catalogue.DISABLED.resolve("sub-a", "", TargetProtocol.HTTP, "x"),
                                Reason.SERVICE_CHANNELS_DISABLED)
                        .reason());
    }

    @Test
    void onlyTcpAndRfc() {
        for (TargetProtocol type : List.of(TargetProtocol.HTTP, TargetProtocol.HTTPS, TargetProtocol.LDAP)) {
            assertEquals(
                    "service channels carry TCP or RFC, not " + type,
                    refused(CATALOGUE.resolve("sub-a", "", type, "erp-ssh"), Reason.PROTOCOL_NOT_ALLOWED)
                            .message());
        }
        refused(CATALOGUE.resolve("sub-a", "", null, "erp-ssh"), Reason.PROTOCOL_NOT_ALLOWED);
    }

    @Test
    void unknownService() {
        assertEquals(
                "no service mapping for TCP service 'nope' in subaccount sub-a",
                refused(CATALOGUE.resolve("sub-a", "", TargetProtocol.TCP, "nope"), Reason.UNKNOWN_SERVICE)
                        .message());
    }

    @Test
    void theTypeIsPartOfTheService() {
        assertEquals(
                "no service mapping for RFC service 'erp-ssh' in subaccount sub-a",
                refused(CATALOGUE.resolve("sub-a", "", TargetProtocol.RFC, "erp-ssh"), Reason.UNKNOWN_SERVICE)
                        .message());
    }

    @Test
    void anotherSubaccountsMappingReadsExactlyLikeAnUnknownOne() {
        Resolution other = CATALOGUE.resolve("sub-a", "", TargetProtocol.TCP, "secret-db");
        Resolution unknown = catalogue("").resolve("sub-a", "", TargetProtocol.TCP, "secret-db");
        assertEquals(unknown, other);
        assertEquals(
                "no service mapping for TCP service 'secret-db' in subaccount sub-a",
                refused(other, Reason.UNKNOWN_SERVICE).message());
        // Not even its location rule shows through, nor its name.
        Resolution.Refused atLocation =
                refused(CATALOGUE.resolve("sub-a", "loc9", TargetProtocol.TCP, "secret-db"), Reason.UNKNOWN_SERVICE);
        assertFalse(atLocation.message().contains("b-secret"));
        // Its own subaccount reaches it.
        assertInstanceOf(Resolution.Found.class, CATALOGUE.resolve("sub-b", "", TargetProtocol.TCP, "secret-db"));
    }

    @Test
    void idsCompareExactly() {
        refused(CATALOGUE.resolve("sub-a", "", TargetProtocol.TCP, "ERP-SSH"), Reason.UNKNOWN_SERVICE);
        refused(CATALOGUE.resolve("sub-a", "", TargetProtocol.TCP, "erp-ssh "), Reason.UNKNOWN_SERVICE);
        refused(CATALOGUE.resolve("SUB-A", "", TargetProtocol.TCP, "erp-ssh"), Reason.UNKNOWN_SERVICE);
        refused(CATALOGUE.resolve("sub-a", "", TargetProtocol.RFC, "s4h"), Reason.UNKNOWN_SERVICE);
        refused(CATALOGUE.resolve("sub-a", "LOC1", TargetProtocol.RFC, "S4H"), Reason.LOCATION_NOT_ALLOWED);
    }

    @Test
    void ambiguousIdsAreRefusedNamingTheMappings() {
        Resolution.Refused refused =
                refused(CATALOGUE.resolve("sub-a", "", TargetProtocol.TCP, "dup"), Reason.UNKNOWN_SERVICE);
        assertEquals(
                "service id 'dup' is ambiguous: 2 TCP service mappings of subaccount sub-a have it " + "(dup-1, dup-2)",
                refused.message());
        // Another subaccount with the same id is not ambiguous, just unknown.
        assertEquals(
                "no service mapping for TCP service 'dup' in subaccount sub-b",
                refused(CATALOGUE.resolve("sub-b", "", TargetProtocol.TCP, "dup"), Reason.UNKNOWN_SERVICE)
                        .message());
    }

    @Test
    void manyAmbiguousMappingsAreCounted() {
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            yaml.append(mapping(
                            "m-" + "n".repeat(200) + i,
                            "type: TCP",
                            "serviceId: same",
                            "internalAddress: h" + i + ":1",
                            "subaccountId: s"))
                    .append("---\n");
        }
        Resolution.Refused refused = refused(
                catalogue(yaml.toString()).resolve("s", "", TargetProtocol.TCP, "same"), Reason.UNKNOWN_SERVICE);
        assertTrue(
                refused.message().startsWith("service id 'same' is ambiguous: 20 TCP service mappings"),
                refused.message());
        assertTrue(refused.message().endsWith(" and 17 more)"), refused.message());
    }

    @Test
    void aMappingWithoutLocationIdsIsOpenToTheDefaultLocationOnly() {
        assertInstanceOf(Resolution.Found.class, CATALOGUE.resolve("sub-a", "", TargetProtocol.TCP, "erp-ssh"));
        assertInstanceOf(Resolution.Found.class, CATALOGUE.resolve("sub-a", null, TargetProtocol.TCP, "erp-ssh"));
        assertEquals(
                "service 'erp-ssh' is not open to location 'loc1'",
                refused(CATALOGUE.resolve("sub-a", "loc1", TargetProtocol.TCP, "erp-ssh"), Reason.LOCATION_NOT_ALLOWED)
                        .message());
    }

    @Test
    void listedLocationsOnly() {
        assertInstanceOf(Resolution.Found.class, CATALOGUE.resolve("sub-a", "loc1", TargetProtocol.RFC, "S4H"));
        assertInstanceOf(Resolution.Found.class, CATALOGUE.resolve("sub-a", "loc2", TargetProtocol.RFC, "S4H"));
        assertEquals(
                "service 'S4H' is not open to location (default)",
                refused(CATALOGUE.resolve("sub-a", "", TargetProtocol.RFC, "S4H"), Reason.LOCATION_NOT_ALLOWED)
                        .message());
        assertEquals(
                "service 'S4H' is not open to location 'loc3'",
                refused(CATALOGUE.resolve("sub-a", "loc3", TargetProtocol.RFC, "S4H"), Reason.LOCATION_NOT_ALLOWED)
                        .message());
    }

    @Test
    void theEmptyIdInTheListIsTheDefaultLocation() {
        assertInstanceOf(Resolution.Found.class, CATALOGUE.resolve("sub-a", "", TargetProtocol.TCP, "both"));
        assertInstanceOf(Resolution.Found.class, CATALOGUE.resolve("sub-a", "loc1", TargetProtocol.TCP, "both"));
        refused(CATALOGUE.resolve("sub-a", "loc2", TargetProtocol.TCP, "both"), Reason.LOCATION_NOT_ALLOWED);
    }

    @Test
    void hostileServiceIdsDoNotMatchAndAreShownEscapedAndShort() {
        List<String> hostile = List.of(
                "erp-ssh\u0000",
                "erp-ssh\r\nINFO forged log line",
                "ssh.tools.svc.cluster.local:22",
                "secret.b.internal:5432",
                "x".repeat(100_000),
                "\u00e9rp-ssh",
                "erp\u202essh",
                "\ud83d\ude00",
                "",
                "'; DROP TABLE mappings; --",
                "%s%n%x");
        for (String id : hostile) {
            for (TargetProtocol type : List.of(TargetProtocol.TCP, TargetProtocol.RFC)) {
                Resolution.Refused refused =
                        assertInstanceOf(Resolution.Refused.class, CATALOGUE.resolve("sub-a", "", type, id));
                assertEquals(Reason.UNKNOWN_SERVICE, refused.reason());
                String message = refused.message();
                assertTrue(message.getBytes(StandardCharsets.UTF_8).length < ServiceChannels.MAX_MESSAGE_BYTES);
                assertTrue(message.chars().allMatch(c -> c >= 0x20 && c <= 0x7e), message);
                assertFalse(message.contains("\n") || message.contains("\r"));
            }
        }
        assertEquals(
                "no service mapping for TCP service '" + "x".repeat(100) + "...' in subaccount sub-a",
                ((Resolution.Refused) CATALOGUE.resolve("sub-a", "", TargetProtocol.TCP, "x".repeat(100_000)))
                        .message());
        assertEquals(
                "no service mapping for TCP service 'erp-ssh??INFO forged log line' in subaccount sub-a",
                ((Resolution.Refused)
                                CATALOGUE.resolve("sub-a", "", TargetProtocol.TCP, "erp-ssh\r\nINFO forged log line"))
                        .message());
    }

    @Test
    void hostileSessionValuesAreEscapedToo() {
        Resolution.Refused refused = refused(
                CATALOGUE.resolve("sub\nx".repeat(500), "l\u0000".repeat(500), TargetProtocol.TCP, "erp-ssh"),
                Reason.UNKNOWN_SERVICE);
        assertFalse(refused.message().contains("\n"));
        refused = refused(
                CATALOGUE.resolve("sub-a", "l\u0000\n".repeat(500), TargetProtocol.TCP, "erp-ssh"),
                Reason.LOCATION_NOT_ALLOWED);
        assertTrue(
                refused.message().startsWith("service 'erp-ssh' is not open to location 'l??l??"), refused.message());
        refused(CATALOGUE.resolve(null, null, TargetProtocol.TCP, null), Reason.UNKNOWN_SERVICE);
    }

    @Test
    void anEmptyCatalogueKnowsNoService() {
        assertEquals(
                "no service mapping for RFC service 'S4H' in subaccount sub-a",
                refused(Catalogue.EMPTY.resolve("sub-a", "", TargetProtocol.RFC, "S4H"), Reason.UNKNOWN_SERVICE)
                        .message());
    }

    @Test
    void sourceProblemsComeFirst() {
        Catalogue catalogue =
                Catalogue.of(new MappingSet(List.of(), List.of("resource problem")), List.of("source problem"));
        assertEquals(List.of("source problem", "resource problem"), catalogue.problems());
        assertTrue(catalogue.enabled());
    }
}

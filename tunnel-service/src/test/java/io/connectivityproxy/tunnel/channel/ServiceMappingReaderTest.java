package io.connectivityproxy.tunnel.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.connectivityproxy.protocol.TargetProtocol;
import io.connectivityproxy.tunnel.channel.MappingFile.NotYamlException;
import io.connectivityproxy.tunnel.channel.ServiceMappingReader.MappingSet;

/** Parsing and validation of ServiceMapping resources, shared by the file and the Kubernetes source. */
class ServiceMappingReaderTest {

    static final String HEAD = "apiVersion: connectivityproxy.sap.com/v1\nkind: ServiceMapping\n";

    private static final ServiceMappingReader DEDICATED =
            new ServiceMappingReader(TenantMode.DEDICATED, Optional.of("sub-default"));
    private static final ServiceMappingReader SHARED = new ServiceMappingReader(TenantMode.SHARED, Optional.empty());

    static MappingSet read(ServiceMappingReader reader, String yaml) {
        try {
            return reader.read(MappingFile.documents(yaml.getBytes(StandardCharsets.UTF_8)));
        } catch (NotYamlException e) {
            throw new AssertionError(e);
        }
    }

    /** One resource with the given spec lines (each indented under spec). */
    static String mapping(String name, String... spec) {
        return HEAD + "metadata:\n  name: " + name + "\nspec:\n"
                + String.join(
                        "",
                        List.of(spec).stream().map(line -> "  " + line + "\n").toList());
    }

    private static String onlyProblem(MappingSet set) {
        assertEquals(List.of(), set.entries(), "nothing half-used");
        assertEquals(1, set.problems().size(), set.problems().toString());
        return set.problems().get(0);
    }

    @Test
    void aCompleteMapping() {
        MappingSet set = read(
                SHARED,
                mapping(
                        "erp-ssh",
                        "type: TCP",
                        "serviceId: erp-ssh",
                        "internalAddress: ssh.tools.svc.cluster.local:22",
                        "locationIds: [loc1, \"\"]",
                        "subaccountId: sub-1",
                        "tenantId: tenant-7"));
        assertEquals(List.of(), set.problems());
        assertEquals(
                List.of(new ServiceMappingEntry(
                        "erp-ssh",
                        TargetProtocol.TCP,
                        "erp-ssh",
                        "ssh.tools.svc.cluster.local",
                        22,
                        List.of("loc1", ""),
                        "sub-1",
                        "tenant-7")),
                set.entries());
    }

    @Test
    void withoutLocationIdsOnlyTheDefaultLocation() {
        assertEquals(
                List.of(""),
                read(SHARED, mapping("a", "type: RFC", "serviceId: a", "internalAddress: h:3300", "subaccountId: s"))
                        .entries()
                        .get(0)
                        .locationIds());
        assertEquals(
                List.of(""),
                read(
                                SHARED,
                                mapping(
                                        "a",
                                        "type: RFC",
                                        "serviceId: a",
                                        "internalAddress: h:3300",
                                        "subaccountId: s",
                                        "locationIds: []"))
                        .entries()
                        .get(0)
                        .locationIds());
        assertEquals(
                List.of(""),
                read(
                                SHARED,
                                mapping(
                                        "a",
                                        "type: RFC",
                                        "serviceId: a",
                                        "internalAddress: h:3300",
                                        "subaccountId: s",
                                        "locationIds: ~"))
                        .entries()
                        .get(0)
                        .locationIds());
    }

    @Test
    void repeatedLocationIdsAreOne() {
        assertEquals(
                List.of("l1", "l2"),
                read(
                                SHARED,
                                mapping(
                                        "a",
                                        "type: TCP",
                                        "serviceId: a",
                                        "internalAddress: h:1",
                                        "subaccountId: s",
                                        "locationIds: [l1, l2, l1]"))
                        .entries()
                        .get(0)
                        .locationIds());
    }

    @Test
    void dedicatedModeDefaultsTheSubaccount() {
        MappingSet set = read(DEDICATED, mapping("a", "type: TCP", "serviceId: a", "internalAddress: h:1"));
        assertEquals("sub-default", set.entries().get(0).subaccountId());
        assertEquals(null, set.entries().get(0).tenantId());
        // A mapping may still name its subaccount.
        assertEquals(
                "other",
                read(
                                DEDICATED,
                                mapping(
                                        "a",
                                        "type: TCP",
                                        "serviceId: a",
                                        "internalAddress: h:1",
                                        "subaccountId: other"))
                        .entries()
                        .get(0)
                        .subaccountId());
    }

    @Test
    void dedicatedModeWithoutADefaultSubaccountNeedsOneInTheMapping() {
        ServiceMappingReader reader = new ServiceMappingReader(TenantMode.DEDICATED, Optional.empty());
        assertEquals(
                "ServiceMapping a: spec.subaccountId: must be set, since "
                        + "tunnel.service-channels.default-subaccount is not configured",
                onlyProblem(read(reader, mapping("a", "type: TCP", "serviceId: a", "internalAddress: h:1"))));
    }

    @Test
    void sharedModeNeedsASubaccount() {
        assertEquals(
                "ServiceMapping a: spec.subaccountId: must be set in shared tenant mode",
                onlyProblem(read(SHARED, mapping("a", "type: TCP", "serviceId: a", "internalAddress: h:1"))));
        assertTrue(onlyProblem(read(
                        SHARED,
                        mapping("a", "type: TCP", "serviceId: a", "internalAddress: h:1", "subaccountId: \"\"")))
                .startsWith("ServiceMapping a: spec.subaccountId: must be a subaccount id"));
        assertTrue(onlyProblem(read(
                        SHARED,
                        mapping("a", "type: TCP", "serviceId: a", "internalAddress: h:1", "subaccountId: \"s|x\"")))
                .contains("was 's|x'"));
    }

    @Test
    void typeMustBeTcpOrRfc() {
        assertEquals(
                "ServiceMapping a: spec.type: must be TCP or RFC, was 'HTTP'",
                onlyProblem(read(DEDICATED, mapping("a", "type: HTTP", "serviceId: a", "internalAddress: h:1"))));
        assertEquals(
                "ServiceMapping a: spec.type: must be TCP or RFC, was 'tcp'",
                onlyProblem(read(DEDICATED, mapping("a", "type: tcp", "serviceId: a", "internalAddress: h:1"))));
        assertEquals(
                "ServiceMapping a: spec.type: must be set to TCP or RFC",
                onlyProblem(read(DEDICATED, mapping("a", "serviceId: a", "internalAddress: h:1"))));
    }

    @Test
    void serviceIdIsRequiredAndOfTheCrdsForm() {
        assertEquals(
                "ServiceMapping a: spec.serviceId: must be set",
                onlyProblem(read(DEDICATED, mapping("a", "type: TCP", "internalAddress: h:1"))));
        assertEquals(
                "ServiceMapping a: spec.serviceId: must be set",
                onlyProblem(read(DEDICATED, mapping("a", "type: TCP", "serviceId: ''", "internalAddress: h:1"))));
        assertTrue(
                onlyProblem(read(DEDICATED, mapping("a", "type: TCP", "serviceId: 'db:5432'", "internalAddress: h:1")))
                        .startsWith("ServiceMapping a: spec.serviceId: must start with a letter"));
    }

    @Test
    void internalAddressMustBeHostAndPort() {
        assertEquals(
                "ServiceMapping x: spec.internalAddress: must be host:port; the port is missing, was 'foo'",
                onlyProblem(read(DEDICATED, mapping("x", "type: TCP", "serviceId: a", "internalAddress: foo"))));
        assertEquals(
                "ServiceMapping x: spec.internalAddress: must be host:port with a port between 1 and 65535, "
                        + "was 'h:70000'",
                onlyProblem(read(DEDICATED, mapping("x", "type: TCP", "serviceId: a", "internalAddress: h:70000"))));
        assertEquals(
                "ServiceMapping x: spec.internalAddress: must be set to host:port",
                onlyProblem(read(DEDICATED, mapping("x", "type: TCP", "serviceId: a"))));
        assertEquals(
                new ServiceMappingEntry("x", TargetProtocol.TCP, "a", "fd00::7", 22, List.of(""), "sub-default", null),
                read(DEDICATED, mapping("x", "type: TCP", "serviceId: a", "internalAddress: '[fd00::7]:22'"))
                        .entries()
                        .get(0));
    }

    @Test
    void malformedLocationIds() {
        assertTrue(onlyProblem(read(
                        DEDICATED,
                        mapping("a", "type: TCP", "serviceId: a", "internalAddress: h:1", "locationIds: loc1")))
                .startsWith("ServiceMapping a: spec.locationIds: must be a list of location ids, " + "was 'loc1'"));
        assertTrue(onlyProblem(read(
                        DEDICATED,
                        mapping(
                                "a",
                                "type: TCP",
                                "serviceId: a",
                                "internalAddress: h:1",
                                "locationIds: [ok, 'not ok']")))
                .startsWith("ServiceMapping a: spec.locationIds[1]: must be a location id"));
        assertTrue(onlyProblem(read(
                        DEDICATED,
                        mapping("a", "type: TCP", "serviceId: a", "internalAddress: h:1", "locationIds: [{a: b}]")))
                .contains("spec.locationIds[0]"));
        assertTrue(onlyProblem(read(
                        DEDICATED,
                        mapping(
                                "a",
                                "type: TCP",
                                "serviceId: a",
                                "internalAddress: h:1",
                                "locationIds: ['" + "l".repeat(129) + "']")))
                .contains("spec.locationIds[0]"));
    }

    @Test
    void yaml11BooleansAndNumbersAreNotTakenForStrings() {
        // Unquoted on/yes are booleans and 010 is octal 8 in YAML 1.1: refuse rather than guess.
        String problem =
                onlyProblem(read(DEDICATED, mapping("a", "type: TCP", "serviceId: on", "internalAddress: h:1")));
        assertTrue(
                problem.startsWith("ServiceMapping a: spec.serviceId: must be a string, was true (YAML reads "
                        + "unquoted on, off"),
                problem);
        assertTrue(onlyProblem(read(DEDICATED, mapping("a", "type: TCP", "serviceId: 010", "internalAddress: h:1")))
                .contains("was 8 (YAML"));
        assertTrue(onlyProblem(read(
                        DEDICATED,
                        mapping("a", "type: TCP", "serviceId: a", "internalAddress: h:1", "locationIds: [off]")))
                .contains("spec.locationIds[0]: must be a location id"));
        // Quoted, the same words are ids like any other; 'y' is a string to this parser.
        assertEquals(
                "on",
                read(DEDICATED, mapping("a", "type: TCP", "serviceId: 'on'", "internalAddress: h:1"))
                        .entries()
                        .get(0)
                        .serviceId());
        assertEquals(
                List.of("y"),
                read(DEDICATED, mapping("a", "type: TCP", "serviceId: a", "internalAddress: h:1", "locationIds: [y]"))
                        .entries()
                        .get(0)
                        .locationIds());
    }

    @Test
    void everyDefectOfAResourceIsNamed() {
        MappingSet set = read(SHARED, mapping("bad", "type: LDAP", "internalAddress: nope"));
        assertEquals(List.of(), set.entries());
        assertEquals(
                List.of(
                        "ServiceMapping bad: spec.type: must be TCP or RFC, was 'LDAP'",
                        "ServiceMapping bad: spec.serviceId: must be set",
                        "ServiceMapping bad: spec.internalAddress: must be host:port; the port is missing, was 'nope'",
                        "ServiceMapping bad: spec.subaccountId: must be set in shared tenant mode"),
                set.problems());
    }

    @Test
    void otherKindsAndMissingPartsAreSkipped() {
        MappingSet set = read(
                DEDICATED,
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n---\n"
                        + "apiVersion: connectivityproxy.sap.com/v2\nkind: ServiceMapping\nmetadata:\n  name: future\n---\n"
                        + HEAD + "spec:\n  type: TCP\n  serviceId: a\n  internalAddress: h:1\n---\n"
                        + HEAD + "metadata:\n  name: nospec\n---\n"
                        + "- just\n- a list\n---\n"
                        + "plain text\n---\n"
                        + mapping("good", "type: TCP", "serviceId: good", "internalAddress: h:1"));
        assertEquals(
                List.of("good"),
                set.entries().stream().map(ServiceMappingEntry::name).toList());
        assertEquals(
                List.of(
                        "document 1 (cm): kind 'ConfigMap' of apiVersion 'v1' is not a ServiceMapping of "
                                + "connectivityproxy.sap.com/v1; skipped",
                        "document 2 (future): kind 'ServiceMapping' of apiVersion 'connectivityproxy.sap.com/v2' is not a "
                                + "ServiceMapping of connectivityproxy.sap.com/v1; skipped",
                        "ServiceMapping in document 3: metadata.name: must be set",
                        "ServiceMapping nospec: spec: must be set, with type, serviceId and internalAddress",
                        "document 5: not a resource (an object with apiVersion, kind, metadata and spec), was "
                                + "[\"just\",\"a list\"]; skipped",
                        "document 6: not a resource (an object with apiVersion, kind, metadata and spec), was 'plain text'; "
                                + "skipped"),
                set.problems());
    }

    @Test
    void aKindListAsKubectlGetPrintsIt() {
        MappingSet set = read(
                DEDICATED,
                "apiVersion: v1\nkind: List\nitems:\n"
                        + "- apiVersion: connectivityproxy.sap.com/v1\n  kind: ServiceMapping\n  metadata: {name: b}\n"
                        + "  spec: {type: RFC, serviceId: b, internalAddress: 'h:3300'}\n"
                        + "- apiVersion: connectivityproxy.sap.com/v1\n  kind: ServiceMapping\n  metadata: {name: a}\n"
                        + "  spec: {type: TCP, serviceId: a, internalAddress: bad}\n");
        assertEquals(
                List.of("b"),
                set.entries().stream().map(ServiceMappingEntry::name).toList());
        assertEquals(
                List.of("ServiceMapping a: spec.internalAddress: must be host:port; the port is missing, was 'bad'"),
                set.problems());
        assertEquals(
                "document 1: the items of a kind List must be a list; skipped",
                onlyProblem(read(DEDICATED, "apiVersion: v1\nkind: List\nitems: {a: b}\n")));
        assertEquals(MappingSet.EMPTY, read(DEDICATED, "apiVersion: v1\nkind: List\nitems: []\n"));
    }

    @Test
    void aNameDefinedTwiceIsSkippedEverywhere() {
        MappingSet set = read(
                DEDICATED,
                mapping("twice", "type: TCP", "serviceId: a", "internalAddress: h:1")
                        + "---\n" + mapping("twice", "type: TCP", "serviceId: b", "internalAddress: h:2")
                        + "---\n" + mapping("once", "type: TCP", "serviceId: c", "internalAddress: h:3"));
        assertEquals(
                List.of("once"),
                set.entries().stream().map(ServiceMappingEntry::name).toList());
        assertEquals(
                List.of("ServiceMapping twice: defined 2 times (document 1, document 2); all of them are skipped"),
                set.problems());
    }

    @Test
    void theSameServiceTwiceIsKeptAndReportedAsAmbiguous() {
        MappingSet set = read(
                DEDICATED,
                mapping("one", "type: TCP", "serviceId: db", "internalAddress: h:1")
                        + "---\n" + mapping("two", "type: TCP", "serviceId: db", "internalAddress: h:2")
                        + "---\n" + mapping("rfc", "type: RFC", "serviceId: db", "internalAddress: h:3")
                        + "---\n"
                        + mapping(
                                "other",
                                "type: TCP",
                                "serviceId: db",
                                "internalAddress: h:4",
                                "subaccountId: sub-other"));
        assertEquals(
                List.of("one", "other", "rfc", "two"),
                set.entries().stream().map(ServiceMappingEntry::name).toList());
        assertEquals(
                List.of("ServiceMappings one, two: all map TCP service 'db' of subaccount sub-default; its opens "
                        + "are refused as ambiguous until only one does"),
                set.problems());
    }

    @Test
    void aMappingTheOperatorRejectedAsADuplicateIsNotServed() {
        String rejected = mapping("newer", "type: TCP", "serviceId: db", "internalAddress: h:2")
                + "status:\n  conditions:\n  - type: Accepted\n    status: \"False\"\n    reason: Duplicate\n"
                + "    message: same as ServiceMapping older\n";
        MappingSet set = read(
                DEDICATED, mapping("older", "type: TCP", "serviceId: db", "internalAddress: h:1") + "---\n" + rejected);
        assertEquals(
                List.of("older"),
                set.entries().stream().map(ServiceMappingEntry::name).toList());
        assertEquals(
                List.of("ServiceMapping newer: not served: the operator serves an older mapping of the same type, "
                        + "subaccount and service id (same as ServiceMapping older)"),
                set.problems());
        // Any other verdict of the operator is not this reader's business: it checks the spec itself.
        MappingSet otherReason = read(DEDICATED, rejected.replace("reason: Duplicate", "reason: ExternalHostUnknown"));
        assertEquals(
                List.of("newer"),
                otherReason.entries().stream().map(ServiceMappingEntry::name).toList());
    }

    @Test
    void tenantIdIsAnId() {
        assertTrue(onlyProblem(read(
                        DEDICATED,
                        mapping("a", "type: TCP", "serviceId: a", "internalAddress: h:1", "tenantId: 'a b'")))
                .startsWith("ServiceMapping a: spec.tenantId: must be a tenant id"));
    }

    @Test
    void entriesAreSortedByName() {
        MappingSet set = read(
                DEDICATED,
                mapping("zeta", "type: TCP", "serviceId: z", "internalAddress: h:1") + "---\n"
                        + mapping("alpha", "type: TCP", "serviceId: a", "internalAddress: h:1"));
        assertEquals(
                List.of("alpha", "zeta"),
                set.entries().stream().map(ServiceMappingEntry::name).toList());
    }

    @Test
    void unknownFieldsAreIgnoredAndStatusFieldsAreNotTakenForTheSpec() {
        MappingSet set = read(
                DEDICATED,
                mapping("a", "type: TCP", "serviceId: a", "internalAddress: h:1", "futureField: 1")
                        + "status:\n  endpoint: elsewhere:9\n");
        assertEquals("h", set.entries().get(0).internalHost());
    }

    @Test
    void hostileValuesAreEscapedAndShortenedInProblems() {
        MappingSet set = read(
                DEDICATED,
                mapping(
                        "\"evil\\nWARN forged\"",
                        "type: \"TCP\\u0000\"",
                        "serviceId: \"" + "x".repeat(500) + "\"",
                        "internalAddress: \"h\\u202e:1\""));
        assertEquals(List.of(), set.entries());
        for (String problem : set.problems()) {
            assertTrue(problem.chars().allMatch(c -> c >= 0x20 && c <= 0x7e), problem);
            assertTrue(problem.length() < 400, problem);
            assertFalse(problem.contains("\n"));
        }
        assertTrue(
                set.problems().get(0).startsWith("ServiceMapping evil?WARN forged: spec.type"),
                set.problems().get(0));
    }

    @Test
    void emptyFilesAndEmptyDocumentsHoldNothing() {
        assertEquals(MappingSet.EMPTY, read(DEDICATED, ""));
        assertEquals(MappingSet.EMPTY, read(DEDICATED, "---\n---\n# only a comment\n"));
    }

    @Test
    void badYamlIsRefusedWhole() {
        NotYamlException e = assertThrows(
                NotYamlException.class,
                () -> MappingFile.documents(
                        (mapping("a", "type: TCP", "serviceId: a", "internalAddress: h:1") + "---\nkey: [unclosed\n")
                                .getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().startsWith("not valid YAML: "), e.getMessage());
        assertTrue(e.getMessage().contains("line "), e.getMessage());
    }

    @Test
    void aKeyGivenTwiceIsBadYaml() {
        NotYamlException e = assertThrows(
                NotYamlException.class,
                () -> MappingFile.documents((HEAD + "metadata:\n  name: a\nspec:\n  serviceId: a\n  serviceId: b\n")
                        .getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("serviceId"), e.getMessage());
    }

    @Test
    void anOversizedFileIsRefused() {
        assertThrows(NotYamlException.class, () -> MappingFile.documents(new byte[MappingFile.MAX_BYTES + 1]));
    }
}

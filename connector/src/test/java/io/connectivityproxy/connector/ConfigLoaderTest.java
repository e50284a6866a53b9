package io.connectivityproxy.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.connectivityproxy.connector.AccessControlList.HostHeader;
import io.connectivityproxy.connector.AccessControlList.Mapping;
import io.connectivityproxy.connector.AccessControlList.PathRule;
import io.connectivityproxy.connector.ConfigLoader.InvalidConfigException;
import io.connectivityproxy.protocol.TargetProtocol;

/** The connector's YAML file: defaults, every accepted form, and one field-named error per mistake. */
class ConfigLoaderTest {

    /** The smallest valid file: everything else takes its default. */
    private static final String MINIMAL = """
            tunnel:
              url: wss://cp.example.com/tunnel
              certificate: connector.pem
              key: connector-key.pem
              ca: ca.pem
            subaccount: sub-1
            accessControl:
              - virtualHost: erp.virtual
                virtualPort: 80
                internalHost: 10.0.0.5
                internalPort: 8080
                protocol: HTTP
              - virtualHost: ldap.virtual
                virtualPort: 389
                internalHost: ldap.corp
                internalPort: 389
                protocol: LDAP
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void pemFiles() throws IOException {
        // The loader only checks that the files are readable; their content is TLS's business.
        for (String name : List.of("connector.pem", "connector-key.pem", "ca.pem", "backend-ca.pem")) {
            Files.writeString(
                    dir.resolve(name), "-----BEGIN CERTIFICATE-----\nplaceholder\n-----END CERTIFICATE-----\n");
        }
    }

    // ---- valid files -----------------------------------------------------------------------

    @Test
    void minimalFileGetsEveryDefault() {
        ConnectorSettings settings = ConfigLoader.parse(MINIMAL, dir);

        assertEquals(URI.create("wss://cp.example.com/tunnel"), settings.tunnelUrl());
        assertEquals(dir.resolve("connector.pem"), settings.certificate());
        assertEquals(dir.resolve("connector-key.pem"), settings.key());
        assertEquals(dir.resolve("ca.pem"), settings.ca());
        assertEquals("sub-1", settings.subaccount());
        assertEquals("", settings.locationId());
        assertFalse(settings.connectorId().isEmpty(), "the connector id defaults to the host name");
        assertEquals(1, settings.sessions());
        assertEquals(262144, settings.window());
        assertEquals(4194304, settings.maxWindow());
        assertEquals(67108864, settings.windowBudget());
        assertEquals(65536, settings.chunkSize());
        assertEquals(Duration.ofSeconds(2), settings.pingInterval());
        assertEquals(Duration.ofSeconds(6), settings.idleTimeout());
        assertEquals(Duration.ofSeconds(10), settings.connectTimeout());
        assertTrue(settings.openssl());
        assertEquals(Duration.ofSeconds(1), settings.reconnectInitialDelay());
        assertEquals(Duration.ofSeconds(30), settings.reconnectMaxDelay());
        assertEquals(Duration.ofSeconds(60), settings.reconnectFastPhase());
        assertEquals(Duration.ofMillis(1500), settings.reconnectFastMaxDelay());
        assertEquals(Duration.ofSeconds(10), settings.backendConnectTimeout());
        assertNull(settings.backendCa());
        assertTrue(settings.backendVerifyHost());

        List<Mapping> mappings = settings.accessControl().mappings();
        assertEquals(2, mappings.size());
        assertEquals(
                new Mapping(
                        "erp.virtual",
                        80,
                        "10.0.0.5",
                        8080,
                        TargetProtocol.HTTP,
                        List.of(new PathRule("/", true)),
                        HostHeader.VIRTUAL),
                mappings.get(0));
        assertEquals("ldap.virtual", mappings.get(1).virtualHost());
        assertEquals(TargetProtocol.LDAP, mappings.get(1).protocol());
    }

    @Test
    void everyFieldSetExplicitly() {
        ConnectorSettings settings = ConfigLoader.parse("""
                tunnel:
                  url: wss://cp.example.com:8443/tunnel
                  certificate: connector.pem
                  key: connector-key.pem
                  ca: ca.pem
                  pingInterval: 5s
                  idleTimeout: 2m
                  connectTimeout: PT5S
                  openssl: false
                subaccount: sub-1
                locationId: plant_7.eu~a
                connectorId: edge-01
                sessions: 4
                reconnect:
                  initialDelay: 500ms
                  maxDelay: 2m
                  fastPhase: 30s
                  fastMaxDelay: 800ms
                streams:
                  window: 1048576
                  maxWindow: 8388608
                  windowBudget: 0
                  chunkSize: 16384
                  backendConnectTimeout: 3s
                backendTls:
                  ca: backend-ca.pem
                  verifyHost: false
                accessControl:
                  - virtualHost: erp.virtual
                    virtualPort: 443
                    internalHost: erp.corp
                    internalPort: 8443
                    protocol: https
                    hostHeader: internal
                    paths:
                      - path: /sap/opu
                      - path: /health
                        includeSubPaths: false
                      - path: /ws
                        includeSubPaths: true
                        upgradeAllowed: true
                      - path: /ws/admin
                        upgradeAllowed: false
                  - virtualHost: db.virtual
                    virtualPort: 5432
                    internalHost: "[fd00::5]"
                    internalPort: 5432
                    protocol: TCP
                """, dir);

        assertEquals(URI.create("wss://cp.example.com:8443/tunnel"), settings.tunnelUrl());
        assertEquals("plant_7.eu~a", settings.locationId());
        assertEquals("edge-01", settings.connectorId());
        assertEquals(4, settings.sessions());
        assertEquals(Duration.ofSeconds(5), settings.pingInterval());
        assertEquals(Duration.ofMinutes(2), settings.idleTimeout());
        assertEquals(Duration.ofSeconds(5), settings.connectTimeout());
        assertFalse(settings.openssl());
        assertEquals(Duration.ofMillis(500), settings.reconnectInitialDelay());
        assertEquals(Duration.ofMinutes(2), settings.reconnectMaxDelay());
        assertEquals(Duration.ofSeconds(30), settings.reconnectFastPhase());
        assertEquals(Duration.ofMillis(800), settings.reconnectFastMaxDelay());
        assertEquals(1048576, settings.window());
        assertEquals(8388608, settings.maxWindow());
        assertEquals(0, settings.windowBudget());
        assertEquals(16384, settings.chunkSize());
        assertEquals(Duration.ofSeconds(3), settings.backendConnectTimeout());
        assertEquals(dir.resolve("backend-ca.pem"), settings.backendCa());
        assertFalse(settings.backendVerifyHost());

        Mapping erp = settings.accessControl().mappings().get(0);
        assertEquals(TargetProtocol.HTTPS, erp.protocol());
        assertEquals(HostHeader.INTERNAL, erp.hostHeader());
        assertEquals(
                List.of(
                        new PathRule("/sap/opu", true, false),
                        new PathRule("/health", false, false),
                        new PathRule("/ws", true, true),
                        new PathRule("/ws/admin", true, false)),
                erp.paths());
        Mapping db = settings.accessControl().mappings().get(1);
        assertEquals("[fd00::5]", db.internalHost());
        assertEquals(TargetProtocol.TCP, db.protocol());
    }

    @Test
    void durationsAsPeopleWriteThem() {
        assertEquals(Duration.ofMillis(500), ConfigLoader.parseDuration("500ms"));
        assertEquals(Duration.ofSeconds(5), ConfigLoader.parseDuration("5s"));
        assertEquals(Duration.ofMinutes(2), ConfigLoader.parseDuration("2m"));
        assertEquals(Duration.ofHours(1), ConfigLoader.parseDuration("1h"));
        assertEquals(Duration.ofSeconds(5), ConfigLoader.parseDuration("PT5S"));
        assertEquals(Duration.ofSeconds(5), ConfigLoader.parseDuration("pt5s"));
        assertEquals(Duration.ofSeconds(5), ConfigLoader.parseDuration(" 5S "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "soon", "5x", "ms", "P", "1.5s"})
    void notADuration(String text) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ConfigLoader.parseDuration(text));
        assertEquals("'" + text + "' is not a duration (use e.g. 500ms, 5s, 2m, 1h)", e.getMessage());
    }

    // ---- one error per mistake, naming the field --------------------------------------------

    @Test
    void missingTunnelUrl() {
        String message = error(MINIMAL.replace("  url: wss://cp.example.com/tunnel\n", ""));
        assertTrue(message.startsWith("tunnel.url: "), message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://cp.example.com/tunnel", "ws://cp.example.com/tunnel", "wss:///tunnel"})
    void tunnelUrlMustBeWss(String url) {
        assertEquals(
                "tunnel.url: must be a wss:// URL with a host, got '" + url + "'",
                error(MINIMAL.replace("wss://cp.example.com/tunnel", url)));
    }

    @Test
    void missingFieldsInListsAreNamedWithTheirIndex() {
        String message = error(MINIMAL.replace("    internalHost: ldap.corp\n", ""));
        assertTrue(message.startsWith("accessControl[1].internalHost: "), message);
    }

    @Test
    void missingSubaccount() {
        String message = error(MINIMAL.replace("subaccount: sub-1\n", ""));
        assertTrue(message.startsWith("subaccount: "), message);
    }

    @Test
    void badSubaccount() {
        assertEquals(
                "subaccount: 'sub 1' is not a valid subaccount id",
                error(MINIMAL.replace("subaccount: sub-1", "subaccount: sub 1")));
    }

    @Test
    void badLocationId() {
        assertEquals(
                "locationId: 'plant/7' must be letters, digits, '.', '_', '~' or '-', at most 128",
                error(MINIMAL + "locationId: plant/7\n"));
    }

    @Test
    void anIdleTimeoutThatPingsCannotKeepAlive() {
        assertEquals(
                "tunnel.idleTimeout: must be at least twice tunnel.pingInterval (5000 ms), got 8000 ms",
                error(MINIMAL.replace("tunnel:\n", "tunnel:\n  pingInterval: 5s\n  idleTimeout: 8s\n")));
    }

    @Test
    void zeroSessions() {
        assertEquals("sessions: must be between 1 and 64, got 0", error(MINIMAL + "sessions: 0\n"));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 70000})
    void virtualPortOutOfRange(int port) {
        assertEquals(
                "accessControl[1].virtualPort: must be between 1 and 65535, got " + port,
                error(MINIMAL.replace("virtualPort: 389", "virtualPort: " + port)));
    }

    @Test
    void unknownProtocol() {
        assertEquals(
                "accessControl[0].protocol: 'SMTP' is not one of HTTP, HTTPS, TCP, RFC, LDAP",
                error(MINIMAL.replace("protocol: HTTP", "protocol: SMTP")));
    }

    @Test
    void pathsOnATcpMapping() {
        assertEquals(
                "accessControl[1].paths: only HTTP and HTTPS mappings have paths",
                error(MINIMAL.replace("protocol: LDAP", "protocol: TCP\n    paths:\n      - path: /x")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/../admin", "/api/%2e%2e/admin", "/api/./x", "api"})
    void pathsMustBeNormal(String path) {
        assertEquals(
                "accessControl[0].paths[0].path: must start with '/' and have no '.' or '..' segments, got '" + path
                        + "'",
                error(MINIMAL.replace("protocol: HTTP", "protocol: HTTP\n    paths:\n      - path: \"" + path + "\"")));
    }

    @Test
    void upgradeAllowedDefaultsToFalse() {
        Mapping erp = ConfigLoader.parse(
                        MINIMAL.replace(
                                "protocol: HTTP",
                                "protocol: HTTP\n    paths:\n      - path: /ws\n      - { path: /live, upgradeAllowed: true }"),
                        dir)
                .accessControl()
                .mappings()
                .get(0);
        assertEquals(List.of(new PathRule("/ws", true, false), new PathRule("/live", true, true)), erp.paths());
        assertEquals(
                List.of(new PathRule("/", true, false)),
                ConfigLoader.parse(MINIMAL, dir)
                        .accessControl()
                        .mappings()
                        .get(0)
                        .paths(),
                "the default rule allows no upgrade");
    }

    @Test
    void upgradeAllowedMustBeABoolean() {
        String message = error(MINIMAL.replace(
                "protocol: HTTP", "protocol: HTTP\n    paths:\n      - { path: /ws, upgradeAllowed: sometimes }"));
        assertTrue(message.startsWith("accessControl[0].paths[0].upgradeAllowed: "), message);
    }

    @Test
    void samePathRuleTwice() {
        assertEquals(
                "accessControl[0].paths[2].path: /ws is listed twice, also in accessControl[0].paths[0]",
                error(MINIMAL.replace("protocol: HTTP", """
                        protocol: HTTP
                            paths:
                              - { path: /ws, upgradeAllowed: true }
                              - { path: /ws, includeSubPaths: false }
                              - { path: /ws, upgradeAllowed: false }""")));
    }

    @Test
    void sameVirtualHostAndPortTwice() {
        assertEquals(
                "accessControl[2]: ERP.virtual:80 is mapped twice, also by accessControl[0]", error(MINIMAL + """
                  - virtualHost: ERP.virtual
                    virtualPort: 80
                    internalHost: other.corp
                    internalPort: 80
                    protocol: TCP
                """));
    }

    // ---- virtual port ranges -----------------------------------------------------------------

    @Test
    void aRangeWithTheFirstInternalPort() {
        Mapping gateways = ConfigLoader.parse(MINIMAL + entry("TCP", "gw.virtual", "3300-3399", "4300"), dir)
                .accessControl()
                .mappings()
                .get(2);
        assertEquals(
                new Mapping(
                        "gw.virtual",
                        3300,
                        3399,
                        "gw.corp",
                        4300,
                        TargetProtocol.TCP,
                        List.of(new PathRule("/", true)),
                        HostHeader.VIRTUAL),
                gateways);
    }

    @Test
    void aRangeWithAnInternalRangeOfTheSameLength() {
        Mapping gateways = ConfigLoader.parse(
                        MINIMAL + entry("RFC", "gw.virtual", "\" 3300 - 3399 \"", "4300-4399"), dir)
                .accessControl()
                .mappings()
                .get(2);
        assertEquals(3300, gateways.virtualPort());
        assertEquals(3399, gateways.lastVirtualPort());
        assertEquals(4300, gateways.internalPort());
        assertEquals(TargetProtocol.RFC, gateways.protocol());
        Mapping ldap = ConfigLoader.parse(MINIMAL + entry("LDAP", "gw.virtual", "1389-1390", "389-390"), dir)
                .accessControl()
                .mappings()
                .get(2);
        assertEquals(1390, ldap.lastVirtualPort());
        assertEquals(389, ldap.internalPort());
    }

    @Test
    void singlePortsInEveryForm() {
        for (String[] ports :
                new String[][] {{"5432", "15432"}, {"\"5432\"", "\"15432\""}, {"5432-5432", "15432-15432"}}) {
            Mapping db = ConfigLoader.parse(MINIMAL + entry("TCP", "db.virtual", ports[0], ports[1]), dir)
                    .accessControl()
                    .mappings()
                    .get(2);
            assertEquals(5432, db.virtualPort(), ports[0]);
            assertEquals(5432, db.lastVirtualPort(), ports[0]);
            assertEquals(15432, db.internalPort(), ports[1]);
        }
    }

    @Test
    void rangeThatEndsBeforeItStarts() {
        assertEquals(
                "accessControl[2].virtualPort: range 3399-3300 ends before it starts",
                error(MINIMAL + entry("TCP", "gw.virtual", "3399-3300", "4300")));
        assertEquals(
                "accessControl[2].internalPort: range 4399-4300 ends before it starts",
                error(MINIMAL + entry("TCP", "gw.virtual", "3300-3399", "4399-4300")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0-10", "65530-65536", "1-99999"})
    void rangeOutsideThePorts(String range) {
        assertEquals(
                "accessControl[2].virtualPort: must be between 1 and 65535, got " + range,
                error(MINIMAL + entry("TCP", "gw.virtual", range, "4300")));
        assertEquals(
                "accessControl[2].internalPort: must be between 1 and 65535, got " + range,
                error(MINIMAL + entry("TCP", "gw.virtual", "1", range)));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65536})
    void internalPortOutOfRange(int port) {
        assertEquals(
                "accessControl[2].internalPort: must be between 1 and 65535, got " + port,
                error(MINIMAL + entry("TCP", "gw.virtual", "3300", Integer.toString(port))));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "abc",
                "80.5",
                "3300-",
                "3300--3399",
                "3300..3399",
                "3300-3399-3400",
                "''",
                "1e3",
                "3300 3399",
                "true"
            })
    void notAPortOrRange(String value) {
        String shown = value.equals("''") ? "" : value;
        assertEquals(
                "accessControl[2].virtualPort: '" + shown + "' is not a port or a port range like 3300-3399",
                error(MINIMAL + entry("TCP", "gw.virtual", value, "4300")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP", "HTTPS"})
    void httpEntriesHaveNoRanges(String protocol) {
        assertEquals(
                "accessControl[2].virtualPort: port ranges are only for TCP, RFC and LDAP entries, not " + protocol,
                error(MINIMAL + entry(protocol, "web.virtual", "8080-8081", "80")));
        assertEquals(
                "accessControl[2].internalPort: port ranges are only for TCP, RFC and LDAP entries, not " + protocol,
                error(MINIMAL + entry(protocol, "web.virtual", "8080", "80-81")));
    }

    @Test
    void internalRangeOfAnotherLength() {
        assertEquals(
                "accessControl[2].internalPort: range 4300-4349 has 50 ports, virtualPort 3300-3399 has 100",
                error(MINIMAL + entry("TCP", "gw.virtual", "3300-3399", "4300-4349")));
        assertEquals(
                "accessControl[2].internalPort: range 4300-4301 has 2 ports, virtualPort 3300 has 1",
                error(MINIMAL + entry("TCP", "gw.virtual", "3300", "4300-4301")));
    }

    @Test
    void internalPortsMustNotRunPast65535() {
        assertEquals(
                "accessControl[2].internalPort: the 100 ports of virtualPort 3300-3399 from 65500 on end at "
                        + "65599, above 65535",
                error(MINIMAL + entry("TCP", "gw.virtual", "3300-3399", "65500")));
        assertEquals(
                65535,
                ConfigLoader.parse(MINIMAL + entry("TCP", "gw.virtual", "3300-3399", "65436"), dir)
                        .accessControl()
                        .mappings()
                        .get(2)
                        .resolve(3399)
                        .internalPort());
    }

    @Test
    void rangesMustNotOverlapOtherEntriesOfTheHost() {
        String range = entry("TCP", "gw.virtual", "3300-3399", "4300");
        assertEquals(
                "accessControl[3]: GW.virtual:3399 overlaps accessControl[2] (gw.virtual:3300-3399)",
                error(MINIMAL + range + entry("TCP", "GW.virtual", "3399", "22")));
        assertEquals(
                "accessControl[3]: gw.virtual:3300-3310 overlaps accessControl[2] (gw.virtual:3305)",
                error(MINIMAL
                        + entry("TCP", "gw.virtual", "3305", "22")
                        + entry("RFC", "gw.virtual", "3300-3310", "1")));
        assertEquals(
                "accessControl[3]: gw.virtual:3350-3450 overlaps accessControl[2] (gw.virtual:3300-3399)",
                error(MINIMAL + range + entry("TCP", "gw.virtual", "3350-3450", "1")));
        assertEquals(
                "accessControl[3]: gw.virtual:3200-3500 overlaps accessControl[2] (gw.virtual:3300-3399)",
                error(MINIMAL + range + entry("TCP", "gw.virtual", "3200-3500", "1")));
        assertEquals(
                "accessControl[3]: gw.virtual:3300-3399 overlaps accessControl[2] (gw.virtual:3300-3399)",
                error(MINIMAL + range + range));
    }

    @Test
    void adjacentRangesAndOtherHostsAreFine() {
        String yaml = MINIMAL
                + entry("TCP", "gw.virtual", "3300-3399", "4300")
                + entry("TCP", "gw.virtual", "3400-3499", "4400")
                + entry("TCP", "gw.virtual", "3299", "22")
                + entry("TCP", "other.virtual", "3300-3399", "4300");
        assertEquals(6, ConfigLoader.parse(yaml, dir).accessControl().mappings().size());
    }

    @Test
    void unknownFieldIsNamedWithItsPath() {
        String nested =
                error(MINIMAL.replace("    internalPort: 8080\n", "    internalPort: 8080\n    interalHost: x\n"));
        assertTrue(nested.startsWith("accessControl[0].interalHost: "), nested);

        String inTunnel = error(MINIMAL.replace("  ca: ca.pem\n", "  ca: ca.pem\n  pingIntervall: 5s\n"));
        assertTrue(inTunnel.startsWith("tunnel.pingIntervall: "), inTunnel);

        String topLevel = error(MINIMAL + "sesions: 2\n");
        assertTrue(topLevel.startsWith("sesions: "), topLevel);
    }

    @Test
    void windowLimits() {
        assertEquals(
                "streams.maxWindow: must be between streams.window (262144) and 1073741824, got 1000",
                error(MINIMAL + "streams:\n  maxWindow: 1000\n"));
        assertEquals(
                "streams.windowBudget: must not be negative, got -1",
                error(MINIMAL + "streams:\n  windowBudget: -1\n"));
        assertEquals(
                8388608,
                ConfigLoader.parse(MINIMAL + "streams:\n  window: 8388608\n", dir)
                        .maxWindow(),
                "a window above the default maximum is its own maximum");
    }

    @Test
    void badDuration() {
        assertEquals(
                "tunnel.pingInterval: '5 seconds' is not a duration (use e.g. 500ms, 5s, 2m, 1h)",
                error(MINIMAL.replace("  ca: ca.pem\n", "  ca: ca.pem\n  pingInterval: 5 seconds\n")));
    }

    @Test
    void durationsMustBePositive() {
        assertEquals(
                "reconnect.initialDelay: must be positive, got PT0S",
                error(MINIMAL + "reconnect:\n  initialDelay: 0s\n"));
        assertEquals(
                "reconnect.maxDelay: must not be below reconnect.initialDelay",
                error(MINIMAL + "reconnect:\n  initialDelay: 10s\n  maxDelay: 5s\n"));
    }

    @Test
    void reconnectFastPhaseErrorsNameTheField() {
        assertEquals(
                "reconnect.fastPhase: must not be negative (0s switches it off), got -5000 ms",
                error(MINIMAL + "reconnect:\n  fastPhase: -5s\n"));
        assertEquals(
                "reconnect.fastMaxDelay: must be at least 100ms, got 50 ms",
                error(MINIMAL + "reconnect:\n  fastMaxDelay: 50ms\n"));
        assertEquals(
                "reconnect.fastMaxDelay: must not be above reconnect.maxDelay (30000 ms), got 40000 ms",
                error(MINIMAL + "reconnect:\n  fastMaxDelay: 40s\n"));
        assertEquals(
                "reconnect.fastMaxDelay: must not be above reconnect.maxDelay (2000 ms), got 3000 ms",
                error(MINIMAL + "reconnect:\n  maxDelay: 2s\n  fastMaxDelay: 3s\n"));
        assertEquals(
                "reconnect.fastMaxDelay: '1.5s' is not a duration (use e.g. 500ms, 5s, 2m, 1h)",
                error(MINIMAL + "reconnect:\n  fastMaxDelay: 1.5s\n"));
    }

    @Test
    void reconnectFastPhaseEdges() {
        assertEquals(
                Duration.ZERO,
                ConfigLoader.parse(MINIMAL + "reconnect:\n  fastPhase: 0s\n", dir)
                        .reconnectFastPhase(),
                "0s switches the fast phase off");
        assertEquals(
                Duration.ofMillis(100),
                ConfigLoader.parse(MINIMAL + "reconnect:\n  fastMaxDelay: 100ms\n", dir)
                        .reconnectFastMaxDelay());
        // A file that was valid before the fast phase existed stays valid: the default follows a small cap.
        ConnectorSettings smallCap =
                ConfigLoader.parse(MINIMAL + "reconnect:\n  initialDelay: 20ms\n  maxDelay: 50ms\n", dir);
        assertEquals(Duration.ofMillis(50), smallCap.reconnectFastMaxDelay());
        assertEquals(
                Duration.ofSeconds(2),
                ConfigLoader.parse(MINIMAL + "reconnect:\n  maxDelay: 2s\n  fastMaxDelay: 2s\n", dir)
                        .reconnectFastMaxDelay(),
                "fastMaxDelay may equal maxDelay");
    }

    @Test
    void missingCertificateFile() {
        assertEquals(
                "tunnel.certificate: file " + dir.resolve("missing.pem") + " does not exist or is not readable",
                error(MINIMAL.replace("certificate: connector.pem", "certificate: missing.pem")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"~\n", "---\n", "null\n"})
    void documentWithoutContent(String yaml) {
        assertEquals("the file is empty", error(yaml));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n", "# nothing configured yet\n"})
    void emptyFile(String yaml) {
        assertEquals("the file is empty", error(yaml));
    }

    @Test
    void yamlSyntaxErrorAtTopLevelSaysWhere() {
        String message = error(MINIMAL + "sessions: 2: 3\n");
        assertTrue(message.startsWith("not valid YAML: mapping values are not allowed here"), message);
        assertTrue(message.contains("line 18, column 12"), message);
    }

    @Test
    void yamlSyntaxErrorInsideABlockSaysWhere() {
        String message = error(MINIMAL.replace("  key: connector-key.pem", "  key: connector-key.pem: x"));
        assertTrue(message.startsWith("not valid YAML: mapping values are not allowed here"), message);
        assertTrue(message.contains("line 4"), message);
    }

    @Test
    void fractionalNumbersAreRefused() {
        String message = error(MINIMAL + "sessions: 1.5\n");
        assertTrue(message.startsWith("sessions: "), message);
    }

    @Test
    void loadNamesTheMissingFile() {
        Path missing = dir.resolve("connector.yaml");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(missing));
        assertEquals(missing + ": file not found", e.getMessage());
    }

    @Test
    void loadResolvesFilesNextToTheConfigAndPrefixesErrorsWithTheFile() throws IOException {
        Path file = Files.writeString(dir.resolve("connector.yaml"), MINIMAL);
        assertEquals(
                dir.resolve("ca.pem").toAbsolutePath(),
                ConfigLoader.load(file).ca().toAbsolutePath());

        Files.writeString(file, MINIMAL + "sessions: 65\n");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(file + ": sessions: must be between 1 and 64, got 65", e.getMessage());
    }

    // ---- service channels --------------------------------------------------------------------

    @Test
    void noServiceChannelsByDefaultAndProtocolVersionFour() {
        ConnectorSettings settings = ConfigLoader.parse(MINIMAL, dir);
        assertEquals(List.of(), settings.serviceChannels());
        assertEquals(4, settings.protocolVersion());
        assertNull(settings.principalPropagation());
    }

    @Test
    void serviceChannelWithDefaults() {
        ConnectorSettings settings = ConfigLoader.parse(MINIMAL + """
                serviceChannels:
                  - serviceId: erp-events
                    type: tcp
                    localPort: 21080
                """, dir);
        assertEquals(
                List.of(new ChannelSettings(TargetProtocol.TCP, "erp-events", "127.0.0.1", 21080, 100, true)),
                settings.serviceChannels());
    }

    @Test
    void serviceChannelFromTheMappingsEndpoint() {
        ConnectorSettings settings = ConfigLoader.parse(MINIMAL + """
                serviceChannels:
                  - endpoint: rfc://cp.example.com:443/s4-rfc
                    localHost: 0.0.0.0
                    localPort: 3300
                    maxConnections: 5
                    enabled: false
                """, dir);
        assertEquals(
                List.of(new ChannelSettings(TargetProtocol.RFC, "s4-rfc", "0.0.0.0", 3300, 5, false)),
                settings.serviceChannels());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{serviceId: erp, type: HTTP, localPort: 1}| serviceChannels[0].type: 'HTTP' is not one of TCP, RFC",
                "{type: TCP, localPort: 1}| serviceChannels[0].serviceId: is required",
                "{serviceId: erp, localPort: 1}| serviceChannels[0].type: is required",
                "{serviceId: erp, type: TCP}| serviceChannels[0].localPort: is required",
                "{serviceId: erp, type: TCP, localPort: 0}| serviceChannels[0].localPort: must be between 1 and 65535, got 0",
                "{serviceId: 'db:5432', type: TCP, localPort: 1}| serviceChannels[0].serviceId: 'db:5432' must start with",
                "{serviceId: -x, type: TCP, localPort: 1}| serviceChannels[0].serviceId: '-x' must start with",
                "{serviceId: erp, type: TCP, localPort: 1, maxConnections: 0}| serviceChannels[0].maxConnections: must be between 1 and 100000, got 0",
                "{serviceId: erp, type: TCP, localPort: 1, localHost: 'a b'}| serviceChannels[0].localHost: 'a b' is not a host name or address",
                "{endpoint: http://cp/x, localPort: 1}| serviceChannels[0].endpoint (scheme): 'http' is not one of TCP, RFC",
                "{endpoint: tcp://cp, localPort: 1}| serviceChannels[0].endpoint: 'tcp://cp' is not a URL like",
                "{endpoint: tcp://cp:443/a/b, localPort: 1}| serviceChannels[0].endpoint: 'tcp://cp:443/a/b' is not a URL like",
                "{endpoint: tcp://cp:443/erp, type: RFC, localPort: 1}| serviceChannels[0].type: RFC contradicts the endpoint's tcp://",
                "{endpoint: tcp://cp:443/erp, serviceId: other, localPort: 1}| serviceChannels[0].serviceId: 'other' contradicts the endpoint's service id 'erp'",
                "{serviceId: erp, type: TCP, localPort: 1, colour: red}| serviceChannels[0].colour: Unrecognized field",
            })
    void badServiceChannel(String entry, String expected) {
        String message = error(MINIMAL + "serviceChannels:\n  - " + entry + "\n");
        assertTrue(message.startsWith(expected), message);
    }

    @Test
    void twoChannelsOnOneListener() {
        assertEquals(
                "serviceChannels[1].localPort: 127.0.0.1:21080 is already used by serviceChannels[0] "
                        + "(0.0.0.0:21080)",
                error(MINIMAL + """
                serviceChannels:
                  - {serviceId: a, type: TCP, localHost: 0.0.0.0, localPort: 21080}
                  - {serviceId: b, type: TCP, localPort: 21080}
                """));
        // A disabled entry does not listen, and another address or port is fine.
        assertEquals(3, ConfigLoader.parse(MINIMAL + """
                serviceChannels:
                  - {serviceId: a, type: TCP, localPort: 21080}
                  - {serviceId: b, type: TCP, localPort: 21080, enabled: false}
                  - {serviceId: c, type: TCP, localHost: 127.0.0.2, localPort: 21080}
                """, dir).serviceChannels().size());
    }

    @Test
    void protocolVersionOneHasNoServiceChannels() {
        String pinned = MINIMAL.replace("  ca: ca.pem\n", "  ca: ca.pem\n  protocolVersion: 1\n");
        assertEquals(1, ConfigLoader.parse(pinned, dir).protocolVersion());
        assertEquals("serviceChannels: need tunnel.protocolVersion 2 or later, got 1", error(pinned + """
                serviceChannels:
                  - {serviceId: a, type: TCP, localPort: 21080}
                """));
        assertEquals(
                "tunnel.protocolVersion: must be between 1 and 4, got 5",
                error(MINIMAL.replace("  ca: ca.pem\n", "  ca: ca.pem\n  protocolVersion: 5\n")));
    }

    // ---- principal propagation ---------------------------------------------------------------

    /** A principalPropagation section with one issuer (by JWKS URL) and a CA generated on first start. */
    private static final String PROPAGATION = """
            principalPropagation:
              trustedIssuers:
                - issuer: https://idp.example.com/oauth/token
                  jwksUrl: https://idp.example.com/token_keys
                  trustCa: ca.pem
              ca:
                certificate: pp/ca.pem
                key: pp/ca-key.pem
                generate: true
            """;

    /** {@link #MINIMAL} with an X509 entry added and {@link #PROPAGATION}. */
    private static String withX509(String protocol) {
        return MINIMAL + entry(protocol, "pp.virtual", "443", "8443") + "    principalPropagation: X509\n"
                + PROPAGATION;
    }

    @Test
    void principalPropagationWithDefaults() {
        ConnectorSettings settings = ConfigLoader.parse(withX509("HTTPS"), dir);
        var pp = settings.principalPropagation();
        assertEquals(1, pp.issuers().size());
        assertEquals("https://idp.example.com/oauth/token", pp.issuers().get(0).issuer());
        assertEquals("https://idp.example.com/token_keys", pp.issuers().get(0).jwksUrl());
        assertEquals(dir.resolve("ca.pem"), pp.issuers().get(0).trustCa());
        assertEquals(java.time.Duration.ofSeconds(30), pp.clockTolerance());
        assertEquals(java.time.Duration.ofMinutes(10), pp.certificateValidity());
        assertEquals(io.connectivityproxy.connector.principal.SubjectRules.DEFAULT, pp.subjectRules());
        assertEquals(
                io.connectivityproxy.connector.principal.UserCertificateAuthority.KeyAlgorithm.EC, pp.keyAlgorithm());
        assertEquals(dir.resolve("pp/ca.pem"), pp.caCertificate());
        assertTrue(pp.generateCa());
        assertEquals(
                AccessControlList.PrincipalType.X509,
                settings.accessControl().mappings().get(2).principalType());
        assertEquals(
                AccessControlList.PrincipalType.NONE,
                settings.accessControl().mappings().get(0).principalType());
        assertEquals(
                AccessControlList.PrincipalType.X509,
                ConfigLoader.parse(
                                withX509("HTTP").replace("principalPropagation: X509", "principalPropagation: x.509"),
                                dir)
                        .accessControl()
                        .mappings()
                        .get(2)
                        .principalType());
    }

    @Test
    void principalPropagationWithEverything() {
        String yaml = MINIMAL + entry("HTTP", "pp.virtual", "80", "8080") + "    principalPropagation: NONE\n" + """
                principalPropagation:
                  trustedIssuers:
                    - issuer: https://a.example.com
                      keyFile: ca.pem
                  clockTolerance: 5s
                  subjectRules:
                    - subject: "CN=${name}, OU=people"
                      userType: Business
                    - subject: "CN=${name}, OU=robots"
                      userType: technical
                  certificateValidityMinutes: 60
                  keyAlgorithm: rsa
                  ca:
                    certificate: ca.pem
                    key: connector-key.pem
                """;
        var pp = ConfigLoader.parse(yaml, dir).principalPropagation();
        assertEquals(dir.resolve("ca.pem"), pp.issuers().get(0).keyFile());
        assertEquals(java.time.Duration.ofSeconds(5), pp.clockTolerance());
        assertEquals(2, pp.subjectRules().rules().size());
        assertEquals(
                io.connectivityproxy.connector.principal.UserType.TECHNICAL,
                pp.subjectRules().rules().get(1).condition());
        assertEquals(java.time.Duration.ofHours(1), pp.certificateValidity());
        assertEquals(
                io.connectivityproxy.connector.principal.UserCertificateAuthority.KeyAlgorithm.RSA, pp.keyAlgorithm());
        assertFalse(pp.generateCa());
    }

    @Test
    void principalPropagationErrorsNameTheField() {
        assertEquals(
                "accessControl[2].principalPropagation: X509 needs the principalPropagation section",
                error(MINIMAL + entry("HTTPS", "pp.virtual", "443", "8443") + "    principalPropagation: X509\n"));
        assertEquals(
                "accessControl[2].principalPropagation: only HTTP and HTTPS entries propagate a principal, not TCP",
                error(MINIMAL + entry("TCP", "pp.virtual", "443", "8443") + "    principalPropagation: X509\n"
                        + PROPAGATION));
        assertEquals(
                "accessControl[2].principalPropagation: 'SAML' is not one of X509, NONE",
                error(withX509("HTTPS").replace("principalPropagation: X509", "principalPropagation: SAML")));
        assertEquals(
                "accessControl[2].principalPropagation: needs tunnel.protocolVersion 3 or later, got 2",
                error(withX509("HTTPS").replace("  ca: ca.pem\n", "  ca: ca.pem\n  protocolVersion: 2\n")));
        assertEquals(
                "principalPropagation.trustedIssuers: is required",
                error(MINIMAL + "principalPropagation:\n  ca: {certificate: a.pem, key: b.pem, generate: true}\n"));
        assertEquals(
                "principalPropagation.trustedIssuers: must name at least one issuer",
                error(PROPAGATION
                        .replaceAll("(?s)  trustedIssuers:.*?  ca:", "  trustedIssuers: []\n  ca:")
                        .transform(p -> MINIMAL + p)));
        assertEquals(
                "principalPropagation.trustedIssuers[0]: give exactly one of jwksUrl and keyFile",
                error(MINIMAL + PROPAGATION.replace("      trustCa: ca.pem\n", "      keyFile: ca.pem\n")));
        assertEquals(
                "principalPropagation.trustedIssuers[0].jwksUrl: must be an https:// URL, got "
                        + "'http://idp.example.com/token_keys'",
                error(MINIMAL + PROPAGATION.replace("https://idp.example.com/t", "http://idp.example.com/t")));
        assertEquals(
                "principalPropagation.trustedIssuers[0].trustCa: file " + dir.resolve("nope.pem")
                        + " does not exist or is not readable",
                error(MINIMAL + PROPAGATION.replace("trustCa: ca.pem", "trustCa: nope.pem")));
        assertEquals(
                "principalPropagation.clockTolerance: must be between 0s and 10m, got PT11M",
                error(MINIMAL + PROPAGATION + "  clockTolerance: 11m\n"));
        assertEquals(
                "principalPropagation.subjectRules[0].subject: unknown variable ${nmae} (use ${name}, ${mail}, "
                        + "${email}, ${user_uuid}, ${login_name}, ${display_name}, ${user_type})",
                error(MINIMAL + PROPAGATION + "  subjectRules:\n    - subject: CN=${nmae}\n"));
        assertEquals(
                "principalPropagation.subjectRules[0].userType: 'Robot' is not one of Business, Technical",
                error(MINIMAL + PROPAGATION + "  subjectRules:\n    - subject: CN=${name}\n      userType: Robot\n"));
        assertEquals(
                "principalPropagation.certificateValidityMinutes: must be between 1 and 1440, got 0",
                error(MINIMAL + PROPAGATION + "  certificateValidityMinutes: 0\n"));
        assertEquals(
                "principalPropagation.keyAlgorithm: 'DSA' is not one of EC, RSA",
                error(MINIMAL + PROPAGATION + "  keyAlgorithm: DSA\n"));
        assertEquals(
                "principalPropagation.ca.certificate: file " + dir.resolve("pp/ca.pem")
                        + " does not exist or is not readable",
                error(MINIMAL + PROPAGATION.replace("generate: true", "generate: false")));
        assertEquals(
                "principalPropagation.ca: is required", error(MINIMAL + PROPAGATION.replaceAll("(?s)  ca:.*", "")));
    }

    /** One more accessControl entry, to append to {@link #MINIMAL}. */
    private static String entry(String protocol, String virtualHost, String virtualPort, String internalPort) {
        return "  - virtualHost: " + virtualHost + "\n    virtualPort: " + virtualPort
                + "\n    internalHost: gw.corp\n    internalPort: " + internalPort + "\n    protocol: " + protocol
                + "\n";
    }

    private String error(String yaml) {
        return assertThrows(InvalidConfigException.class, () -> ConfigLoader.parse(yaml, dir))
                .getMessage();
    }

    @Test
    void problemsListsEveryBadEntryNotOnlyTheFirst() throws IOException {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(
                file,
                MINIMAL.replace("subaccount: sub-1", "subaccount: \"not valid!\"")
                                .replace("virtualPort: 80", "virtualPort: 0")
                                .replace("protocol: LDAP", "protocol: GOPHER")
                        + "serviceChannels:\n  - serviceId: events\n    type: UDP\n    localPort: 21080\n");
        List<String> problems = ConfigLoader.problems(file);
        assertEquals(
                List.of(
                        file + ": subaccount: 'not valid!' is not a valid subaccount id",
                        file + ": accessControl[0].virtualPort: must be between 1 and 65535, got 0",
                        file + ": accessControl[1].protocol: 'GOPHER' is not one of HTTP, HTTPS, TCP, RFC, LDAP",
                        file + ": serviceChannels[0].type: 'UDP' is not one of TCP, RFC"),
                problems);
    }

    @Test
    void problemsOfAGoodFileIsEmptyAndOfANonYamlFileOneLine() throws IOException {
        Path good = dir.resolve("good.yaml");
        Files.writeString(good, MINIMAL);
        assertEquals(List.of(), ConfigLoader.problems(good));
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, MINIMAL + "unknownField: 1\n");
        List<String> problems = ConfigLoader.problems(broken);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith(broken + ": unknownField"), problems.get(0));
        assertEquals(
                List.of(dir.resolve("missing.yaml") + ": file not found"),
                ConfigLoader.problems(dir.resolve("missing.yaml")));
    }
}

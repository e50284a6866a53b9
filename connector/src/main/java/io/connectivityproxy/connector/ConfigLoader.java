package io.connectivityproxy.connector;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.connectivityproxy.connector.principal.PrincipalPropagationSettings;
import io.connectivityproxy.connector.principal.SubjectRule;
import io.connectivityproxy.connector.principal.SubjectRules;
import io.connectivityproxy.connector.principal.TrustedIssuer;
import io.connectivityproxy.connector.principal.UserCertificateAuthority;
import io.connectivityproxy.connector.principal.UserType;
import io.connectivityproxy.protocol.FrameCodec;
import io.connectivityproxy.protocol.Ids;
import io.connectivityproxy.protocol.TargetProtocol;

/**
 * Reads the connector's YAML file into {@link ConnectorSettings}: applies defaults, checks every
 * field, and fails with one {@link InvalidConfigException} whose message names the field
 * (e.g. {@code accessControl[2].virtualPort: must be between 1 and 65535}).
 */
public final class ConfigLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .registerModule(new SimpleModule().addDeserializer(Duration.class, new DurationDeserializer()))
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** A ServiceMapping's spec.serviceId, as the CRD allows it. */
    private static final Pattern SERVICE_ID = Pattern.compile("[A-Za-z0-9][-A-Za-z0-9._]{0,252}");

    // A sign is accepted on a single number so that -1 gets the range message, not a syntax one.
    private static final Pattern PORTS = Pattern.compile("(-?[0-9]{1,9})|([0-9]{1,9}) *- *([0-9]{1,9})");

    /** A configuration file that cannot be used; the message names the file and the field. */
    public static final class InvalidConfigException extends RuntimeException {
        public InvalidConfigException(String message) {
            super(message);
        }
    }

    private ConfigLoader() {}

    /** Durations as people write them: 500ms, 5s, 2m, 1h, or ISO-8601 (PT5S). */
    static Duration parseDuration(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (value.startsWith("pt") || value.startsWith("p")) {
                return Duration.parse(value.toUpperCase(Locale.ROOT));
            }
            if (value.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
            }
            long amount = Long.parseLong(value.substring(0, value.length() - 1));
            switch (value.charAt(value.length() - 1)) {
                case 's':
                    return Duration.ofSeconds(amount);
                case 'm':
                    return Duration.ofMinutes(amount);
                case 'h':
                    return Duration.ofHours(amount);
                default:
                    break;
            }
        } catch (RuntimeException e) {
            // falls through to the error below
        }
        throw new IllegalArgumentException("'" + text + "' is not a duration (use e.g. 500ms, 5s, 2m, 1h)");
    }

    private static final class DurationDeserializer extends JsonDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            try {
                return parseDuration(parser.getValueAsString(""));
            } catch (IllegalArgumentException e) {
                throw JsonMappingException.from(parser, e.getMessage());
            }
        }
    }

    public static ConnectorSettings load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new InvalidConfigException(file + ": file not found");
        } catch (IOException e) {
            throw new InvalidConfigException(file + ": cannot read: " + e.getMessage());
        }
        try {
            return parse(text, file.toAbsolutePath().getParent());
        } catch (InvalidConfigException e) {
            throw new InvalidConfigException(file + ": " + e.getMessage());
        }
    }

    /** Parses YAML text; relative file paths in it resolve against {@code baseDir}. */
    public static ConnectorSettings parse(String yaml, Path baseDir) {
        return validate(read(yaml), baseDir);
    }

    /**
     * Every problem of the file, not only the first, each naming the file and the field; empty
     * when the file loads. The parts are checked on their own: the top-level fields, then each
     * access control entry and each service channel, so one bad entry does not hide the next.
     * (A file that is not YAML, or has an unknown or duplicate field, is one problem.)
     */
    public static List<String> problems(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            return List.of(file + ": file not found");
        } catch (IOException e) {
            return List.of(file + ": cannot read: " + e.getMessage());
        }
        Path baseDir = file.toAbsolutePath().getParent();
        List<String> problems = new ArrayList<>();
        ConnectorConfig config;
        try {
            config = read(text);
        } catch (InvalidConfigException e) {
            return List.of(file + ": " + e.getMessage());
        }
        List<ConnectorConfig.Mapping> entries = config.accessControl();
        try {
            validate(
                    new ConnectorConfig(
                            config.tunnel(),
                            config.subaccount(),
                            config.locationId(),
                            config.connectorId(),
                            config.sessions(),
                            config.reconnect(),
                            config.streams(),
                            config.backendTls(),
                            entries == null ? null : List.of(),
                            null,
                            config.principalPropagation()),
                    baseDir);
        } catch (InvalidConfigException e) {
            problems.add(e.getMessage());
        }
        List<AccessControlList.Mapping> mappings = new ArrayList<>();
        List<String> mappingFields = new ArrayList<>();
        for (int i = 0; entries != null && i < entries.size(); i++) {
            String where = "accessControl[" + i + "]";
            try {
                AccessControlList.Mapping mapping = mapping(entries.get(i), where);
                for (int j = 0; j < mappings.size(); j++) {
                    checkNoOverlap(mapping, where, mappings.get(j), mappingFields.get(j));
                }
                mappings.add(mapping);
                mappingFields.add(where);
            } catch (InvalidConfigException e) {
                problems.add(e.getMessage());
            }
        }
        List<ConnectorConfig.ServiceChannel> channels = config.serviceChannels();
        for (int i = 0; channels != null && i < channels.size(); i++) {
            try {
                serviceChannel(channels.get(i), "serviceChannels[" + i + "]");
            } catch (InvalidConfigException e) {
                problems.add(e.getMessage());
            }
        }
        if (problems.isEmpty()) {
            // What only the whole file shows: listeners that collide, channels the protocol version lacks.
            try {
                validate(config, baseDir);
            } catch (InvalidConfigException e) {
                problems.add(e.getMessage());
            }
        }
        return problems.stream().map(problem -> file + ": " + problem).toList();
    }

    private static ConnectorConfig read(String yaml) {
        ConnectorConfig config;
        try {
            if (YAML.readTree(yaml) == null || YAML.readTree(yaml).isMissingNode()) {
                throw new InvalidConfigException("the file is empty");
            }
            config = YAML.readValue(yaml, ConnectorConfig.class);
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof JsonProcessingException syntax && !(syntax instanceof JsonMappingException)) {
                throw new InvalidConfigException(
                        "not valid YAML: " + syntax.getOriginalMessage().split("\n")[0] + location(syntax));
            }
            throw new InvalidConfigException(
                    path(e) + ": " + e.getOriginalMessage().split("\n")[0]);
        } catch (JsonProcessingException e) {
            throw new InvalidConfigException(
                    "not valid YAML: " + e.getOriginalMessage().split("\n")[0] + location(e));
        }
        if (config == null) {
            throw new InvalidConfigException("the file is empty");
        }
        return config;
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null
                ? ""
                : " (line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr() + ")";
    }

    private static String path(JsonMappingException e) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            } else if (ref.getFieldName() != null) {
                if (out.length() > 0) {
                    out.append('.');
                }
                out.append(ref.getFieldName());
            }
        }
        return out.length() == 0 ? "(top level)" : out.toString();
    }

    static ConnectorSettings validate(ConnectorConfig config, Path baseDir) {
        ConnectorConfig.Tunnel tunnel = require(config.tunnel(), "tunnel");
        URI url = tunnelUrl(require(tunnel.url(), "tunnel.url"));
        String subaccount = require(config.subaccount(), "subaccount");
        if (subaccount.isEmpty() || !Ids.valid(subaccount)) {
            throw new InvalidConfigException("subaccount: '" + subaccount + "' is not a valid subaccount id");
        }
        String location = config.locationId() == null ? "" : config.locationId();
        if (!Ids.valid(location)) {
            throw new InvalidConfigException(
                    "locationId: '" + location + "' must be letters, digits, '.', '_', '~' or '-', at most 128");
        }
        String connectorId = config.connectorId() != null ? config.connectorId() : hostName();
        if (connectorId.isEmpty() || connectorId.length() > 255) {
            throw new InvalidConfigException("connectorId: must be 1 to 255 characters");
        }
        int sessions = config.sessions() == null ? 1 : config.sessions();
        if (sessions < 1 || sessions > 64) {
            throw new InvalidConfigException("sessions: must be between 1 and 64, got " + sessions);
        }
        ConnectorConfig.Reconnect reconnect =
                config.reconnect() == null ? new ConnectorConfig.Reconnect(null, null, null, null) : config.reconnect();
        Duration initialDelay = positive(reconnect.initialDelay(), Duration.ofSeconds(1), "reconnect.initialDelay");
        Duration maxDelay = positive(reconnect.maxDelay(), Duration.ofSeconds(30), "reconnect.maxDelay");
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw new InvalidConfigException("reconnect.maxDelay: must not be below reconnect.initialDelay");
        }
        Duration fastPhase = reconnect.fastPhase() == null ? Duration.ofSeconds(60) : reconnect.fastPhase();
        if (fastPhase.isNegative()) {
            throw new InvalidConfigException("reconnect.fastPhase: must not be negative (0s switches it off), got "
                    + fastPhase.toMillis() + " ms");
        }
        Duration fastMaxDelay = reconnect.fastMaxDelay();
        if (fastMaxDelay == null) {
            // Within a small maxDelay, so that files which were valid before stay valid.
            fastMaxDelay = min(Duration.ofMillis(1500), maxDelay);
        } else if (fastMaxDelay.compareTo(Duration.ofMillis(100)) < 0) {
            throw new InvalidConfigException(
                    "reconnect.fastMaxDelay: must be at least 100ms, got " + fastMaxDelay.toMillis() + " ms");
        } else if (fastMaxDelay.compareTo(maxDelay) > 0) {
            throw new InvalidConfigException("reconnect.fastMaxDelay: must not be above reconnect.maxDelay ("
                    + maxDelay.toMillis() + " ms), got " + fastMaxDelay.toMillis() + " ms");
        }
        ConnectorConfig.Streams streams =
                config.streams() == null ? new ConnectorConfig.Streams(null, null, null, null, null) : config.streams();
        int window = streams.window() == null ? 256 * 1024 : streams.window();
        if (window < 1024 || window > 64 * 1024 * 1024) {
            throw new InvalidConfigException("streams.window: must be between 1024 and 67108864, got " + window);
        }
        int maxWindow = streams.maxWindow() == null ? Math.max(window, 4 * 1024 * 1024) : streams.maxWindow();
        if (maxWindow < window || maxWindow > 1024 * 1024 * 1024) {
            throw new InvalidConfigException("streams.maxWindow: must be between streams.window (" + window
                    + ") and 1073741824, got " + maxWindow);
        }
        long windowBudget = streams.windowBudget() == null ? 64L * 1024 * 1024 : streams.windowBudget();
        if (windowBudget < 0) {
            throw new InvalidConfigException("streams.windowBudget: must not be negative, got " + windowBudget);
        }
        int chunk = streams.chunkSize() == null ? 64 * 1024 : streams.chunkSize();
        if (chunk < 512 || chunk > FrameCodec.MAX_PAYLOAD) {
            throw new InvalidConfigException(
                    "streams.chunkSize: must be between 512 and " + FrameCodec.MAX_PAYLOAD + ", got " + chunk);
        }
        ConnectorConfig.BackendTls backendTls =
                config.backendTls() == null ? new ConnectorConfig.BackendTls(null, null) : config.backendTls();
        List<ConnectorConfig.Mapping> entries = require(config.accessControl(), "accessControl");
        List<AccessControlList.Mapping> mappings = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            AccessControlList.Mapping mapping = mapping(entries.get(i), "accessControl[" + i + "]");
            for (int j = 0; j < mappings.size(); j++) {
                checkNoOverlap(mapping, "accessControl[" + i + "]", mappings.get(j), "accessControl[" + j + "]");
            }
            mappings.add(mapping);
        }
        int protocolVersion = tunnel.protocolVersion() == null ? FrameCodec.VERSION : tunnel.protocolVersion();
        if (protocolVersion < FrameCodec.MIN_VERSION || protocolVersion > FrameCodec.VERSION) {
            throw new InvalidConfigException("tunnel.protocolVersion: must be between " + FrameCodec.MIN_VERSION
                    + " and " + FrameCodec.VERSION + ", got " + protocolVersion);
        }
        List<ChannelSettings> channels = serviceChannels(config.serviceChannels());
        if (!channels.isEmpty() && protocolVersion < FrameCodec.SERVICE_CHANNELS_VERSION) {
            throw new InvalidConfigException("serviceChannels: need tunnel.protocolVersion "
                    + FrameCodec.SERVICE_CHANNELS_VERSION + " or later, got " + protocolVersion);
        }
        // Ping every 2 s, dead after 6 s of silence: a half-open session is closed 6-8 s after its
        // last frame (issue 13 asks for 10 s), and it takes three pings lost in a row.
        Duration pingInterval = positive(tunnel.pingInterval(), Duration.ofSeconds(2), "tunnel.pingInterval");
        Duration idleTimeout = positive(tunnel.idleTimeout(), Duration.ofSeconds(6), "tunnel.idleTimeout");
        if (idleTimeout.compareTo(pingInterval.multipliedBy(2)) < 0) {
            throw new InvalidConfigException("tunnel.idleTimeout: must be at least twice tunnel.pingInterval ("
                    + pingInterval.toMillis() + " ms), got " + idleTimeout.toMillis() + " ms");
        }
        PrincipalPropagationSettings principalPropagation =
                principalPropagation(config.principalPropagation(), baseDir);
        for (int i = 0; i < mappings.size(); i++) {
            if (mappings.get(i).principalType() != AccessControlList.PrincipalType.NONE) {
                if (principalPropagation == null) {
                    throw new InvalidConfigException("accessControl[" + i + "].principalPropagation: "
                            + mappings.get(i).principalType() + " needs the principalPropagation section");
                }
                if (protocolVersion < FrameCodec.PRINCIPAL_PROPAGATION_VERSION) {
                    throw new InvalidConfigException("accessControl[" + i + "].principalPropagation: needs "
                            + "tunnel.protocolVersion " + FrameCodec.PRINCIPAL_PROPAGATION_VERSION + " or later, got "
                            + protocolVersion);
                }
            }
        }
        return new ConnectorSettings(
                url,
                file(baseDir, require(tunnel.certificate(), "tunnel.certificate"), "tunnel.certificate"),
                file(baseDir, require(tunnel.key(), "tunnel.key"), "tunnel.key"),
                file(baseDir, require(tunnel.ca(), "tunnel.ca"), "tunnel.ca"),
                subaccount,
                location,
                connectorId,
                sessions,
                pingInterval,
                idleTimeout,
                positive(tunnel.connectTimeout(), Duration.ofSeconds(10), "tunnel.connectTimeout"),
                tunnel.openssl() == null || tunnel.openssl(),
                protocolVersion,
                initialDelay,
                maxDelay,
                fastPhase,
                fastMaxDelay,
                window,
                maxWindow,
                windowBudget,
                chunk,
                positive(streams.backendConnectTimeout(), Duration.ofSeconds(10), "streams.backendConnectTimeout"),
                backendTls.ca() == null ? null : file(baseDir, backendTls.ca(), "backendTls.ca"),
                backendTls.verifyHost() == null || backendTls.verifyHost(),
                new AccessControlList(mappings),
                channels,
                principalPropagation);
    }

    private static PrincipalPropagationSettings principalPropagation(
            ConnectorConfig.PrincipalPropagation section, Path baseDir) {
        if (section == null) {
            return null;
        }
        String where = "principalPropagation";
        List<ConnectorConfig.TrustedIssuer> entries = require(section.trustedIssuers(), where + ".trustedIssuers");
        if (entries.isEmpty()) {
            throw new InvalidConfigException(where + ".trustedIssuers: must name at least one issuer");
        }
        List<TrustedIssuer> issuers = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String field = where + ".trustedIssuers[" + i + "]";
            ConnectorConfig.TrustedIssuer entry = entries.get(i);
            if (entry == null) {
                throw new InvalidConfigException(field + ": empty entry");
            }
            String issuer = require(entry.issuer(), field + ".issuer");
            if (issuer.isBlank()) {
                throw new InvalidConfigException(field + ".issuer: must not be empty");
            }
            for (TrustedIssuer earlier : issuers) {
                if (earlier.issuer().equals(issuer)) {
                    throw new InvalidConfigException(field + ".issuer: '" + issuer + "' is listed twice");
                }
            }
            if ((entry.jwksUrl() == null) == (entry.keyFile() == null)) {
                throw new InvalidConfigException(field + ": give exactly one of jwksUrl and keyFile");
            }
            String jwksUrl = null;
            if (entry.jwksUrl() != null) {
                try {
                    URI uri = new URI(entry.jwksUrl());
                    if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                        throw new URISyntaxException(entry.jwksUrl(), "not https");
                    }
                } catch (URISyntaxException e) {
                    throw new InvalidConfigException(
                            field + ".jwksUrl: must be an https:// URL, got '" + entry.jwksUrl() + "'");
                }
                jwksUrl = entry.jwksUrl();
            } else if (entry.trustCa() != null) {
                throw new InvalidConfigException(field + ".trustCa: only for a jwksUrl");
            }
            issuers.add(new TrustedIssuer(
                    issuer,
                    jwksUrl,
                    entry.keyFile() == null ? null : file(baseDir, entry.keyFile(), field + ".keyFile"),
                    entry.trustCa() == null ? null : file(baseDir, entry.trustCa(), field + ".trustCa")));
        }
        Duration tolerance = section.clockTolerance() == null ? Duration.ofSeconds(30) : section.clockTolerance();
        if (tolerance.isNegative() || tolerance.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new InvalidConfigException(where + ".clockTolerance: must be between 0s and 10m, got " + tolerance);
        }
        SubjectRules rules = SubjectRules.DEFAULT;
        if (section.subjectRules() != null) {
            if (section.subjectRules().isEmpty()) {
                throw new InvalidConfigException(
                        where + ".subjectRules: must list at least one rule (or be left out " + "for CN=${name})");
            }
            List<SubjectRule> parsed = new ArrayList<>();
            for (int i = 0; i < section.subjectRules().size(); i++) {
                String field = where + ".subjectRules[" + i + "]";
                ConnectorConfig.SubjectRule rule = section.subjectRules().get(i);
                if (rule == null) {
                    throw new InvalidConfigException(field + ": empty entry");
                }
                UserType condition = null;
                if (rule.userType() != null) {
                    condition = UserType.ofLabel(rule.userType());
                    if (condition == null) {
                        throw new InvalidConfigException(
                                field + ".userType: '" + rule.userType() + "' is not one of Business, Technical");
                    }
                }
                try {
                    parsed.add(SubjectRule.parse(require(rule.subject(), field + ".subject"), condition));
                } catch (IllegalArgumentException e) {
                    throw new InvalidConfigException(field + ".subject: " + e.getMessage());
                }
            }
            rules = new SubjectRules(parsed);
        }
        int minutes = section.certificateValidityMinutes() == null ? 10 : section.certificateValidityMinutes();
        if (minutes < 1 || minutes > 1440) {
            throw new InvalidConfigException(
                    where + ".certificateValidityMinutes: must be between 1 and 1440, got " + minutes);
        }
        UserCertificateAuthority.KeyAlgorithm keyAlgorithm = UserCertificateAuthority.KeyAlgorithm.EC;
        if (section.keyAlgorithm() != null) {
            try {
                keyAlgorithm = UserCertificateAuthority.KeyAlgorithm.valueOf(
                        section.keyAlgorithm().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigException(
                        where + ".keyAlgorithm: '" + section.keyAlgorithm() + "' is not one of EC, RSA");
            }
        }
        ConnectorConfig.SigningCa ca = require(section.ca(), where + ".ca");
        Path caCertificate = path(baseDir, require(ca.certificate(), where + ".ca.certificate"));
        Path caKey = path(baseDir, require(ca.key(), where + ".ca.key"));
        boolean generate = ca.generate() != null && ca.generate();
        if (!generate) {
            file(baseDir, ca.certificate(), where + ".ca.certificate");
            file(baseDir, ca.key(), where + ".ca.key");
        }
        return new PrincipalPropagationSettings(
                issuers, tolerance, rules, Duration.ofMinutes(minutes), keyAlgorithm, caCertificate, caKey, generate);
    }

    private static Path path(Path baseDir, String value) {
        return baseDir == null ? Path.of(value) : baseDir.resolve(value);
    }

    private static List<ChannelSettings> serviceChannels(List<ConnectorConfig.ServiceChannel> entries) {
        List<ChannelSettings> channels = new ArrayList<>();
        if (entries == null) {
            return channels;
        }
        for (int i = 0; i < entries.size(); i++) {
            String where = "serviceChannels[" + i + "]";
            ChannelSettings channel = serviceChannel(entries.get(i), where);
            for (int j = 0; j < channels.size(); j++) {
                ChannelSettings earlier = channels.get(j);
                if (channel.enabled()
                        && earlier.enabled()
                        && channel.localPort() == earlier.localPort()
                        && sameListener(channel.localHost(), earlier.localHost())) {
                    throw new InvalidConfigException(where + ".localPort: " + channel.listenAddress()
                            + " is already used by serviceChannels[" + j + "] (" + earlier.listenAddress() + ")");
                }
            }
            channels.add(channel);
        }
        return List.copyOf(channels);
    }

    /** Two listeners on one port collide when they name the same address or either is a wildcard. */
    private static boolean sameListener(String a, String b) {
        return a.equalsIgnoreCase(b) || isWildcard(a) || isWildcard(b);
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }

    private static ChannelSettings serviceChannel(ConnectorConfig.ServiceChannel entry, String where) {
        if (entry == null) {
            throw new InvalidConfigException(where + ": empty entry");
        }
        String serviceId = entry.serviceId();
        String type = entry.type();
        if (entry.endpoint() != null) {
            String[] fromEndpoint = endpoint(entry.endpoint(), where + ".endpoint");
            if (type != null && !type.equalsIgnoreCase(fromEndpoint[0])) {
                throw new InvalidConfigException(where + ".type: " + type + " contradicts the endpoint's "
                        + fromEndpoint[0].toLowerCase(Locale.ROOT) + "://");
            }
            if (serviceId != null && !serviceId.equals(fromEndpoint[1])) {
                throw new InvalidConfigException(where + ".serviceId: '" + serviceId
                        + "' contradicts the endpoint's service id '" + fromEndpoint[1] + "'");
            }
            type = fromEndpoint[0];
            serviceId = fromEndpoint[1];
        }
        require(serviceId, where + ".serviceId");
        if (!SERVICE_ID.matcher(serviceId).matches()) {
            throw new InvalidConfigException(where + ".serviceId: '" + serviceId + "' must start with a letter or "
                    + "digit and continue with letters, digits, '-', '.' or '_', at most 253");
        }
        TargetProtocol protocol = channelType(require(type, where + ".type"), where + ".type");
        String localHost = entry.localHost() == null ? "127.0.0.1" : host(entry.localHost(), where + ".localHost");
        int localPort = port(require(entry.localPort(), where + ".localPort"), where + ".localPort");
        int maxConnections = entry.maxConnections() == null ? 100 : entry.maxConnections();
        if (maxConnections < 1 || maxConnections > 100_000) {
            throw new InvalidConfigException(
                    where + ".maxConnections: must be between 1 and 100000, got " + maxConnections);
        }
        return new ChannelSettings(
                protocol, serviceId, localHost, localPort, maxConnections, entry.enabled() == null || entry.enabled());
    }

    private static TargetProtocol channelType(String type, String field) {
        String upper = type.toUpperCase(Locale.ROOT);
        if (upper.equals("TCP")) {
            return TargetProtocol.TCP;
        }
        if (upper.equals("RFC")) {
            return TargetProtocol.RFC;
        }
        throw new InvalidConfigException(field + ": '" + type + "' is not one of TCP, RFC");
    }

    /** {@code tcp://cp.example.com:443/erp-events} as a ServiceMapping's status shows it: type and service id. */
    private static String[] endpoint(String value, String field) {
        URI uri;
        try {
            uri = new URI(value.trim());
        } catch (URISyntaxException e) {
            throw new InvalidConfigException(
                    field + ": '" + value + "' is not a URL like tcp://cp.example.com:443/erp-events");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (uri.getScheme() == null
                || uri.getHost() == null
                || path.length() < 2
                || path.indexOf('/', 1) >= 0
                || uri.getQuery() != null
                || uri.getFragment() != null) {
            throw new InvalidConfigException(
                    field + ": '" + value + "' is not a URL like tcp://cp.example.com:443/erp-events");
        }
        String type = channelType(uri.getScheme(), field + " (scheme)").name();
        return new String[] {type, path.substring(1)};
    }

    private static AccessControlList.Mapping mapping(ConnectorConfig.Mapping entry, String where) {
        if (entry == null) {
            throw new InvalidConfigException(where + ": empty entry");
        }
        String virtualHost = host(require(entry.virtualHost(), where + ".virtualHost"), where + ".virtualHost");
        Ports virtualPorts = ports(require(entry.virtualPort(), where + ".virtualPort"), where + ".virtualPort");
        String internalHost = host(require(entry.internalHost(), where + ".internalHost"), where + ".internalHost");
        Ports internalPorts = ports(require(entry.internalPort(), where + ".internalPort"), where + ".internalPort");
        TargetProtocol protocol;
        try {
            protocol = TargetProtocol.valueOf(
                    require(entry.protocol(), where + ".protocol").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(
                    where + ".protocol: '" + entry.protocol() + "' is not one of HTTP, HTTPS, TCP, RFC, LDAP");
        }
        checkRanges(virtualPorts, internalPorts, protocol, where);
        List<AccessControlList.PathRule> paths = new ArrayList<>();
        if (entry.paths() == null || entry.paths().isEmpty()) {
            paths.add(new AccessControlList.PathRule("/", true));
        } else {
            if (!protocol.isHttp()) {
                throw new InvalidConfigException(where + ".paths: only HTTP and HTTPS mappings have paths");
            }
            for (int j = 0; j < entry.paths().size(); j++) {
                ConnectorConfig.PathRule rule = entry.paths().get(j);
                String field = where + ".paths[" + j + "]";
                String path = require(rule == null ? null : rule.path(), field + ".path");
                if (!path.startsWith("/") || AccessControlList.hasDotSegment(path)) {
                    throw new InvalidConfigException(field + ".path: must start with '/' and have no '.' or '..' "
                            + "segments, got '" + path + "'");
                }
                AccessControlList.PathRule parsed = new AccessControlList.PathRule(
                        path,
                        rule.includeSubPaths() == null || rule.includeSubPaths(),
                        rule.upgradeAllowed() != null && rule.upgradeAllowed());
                for (int k = 0; k < paths.size(); k++) {
                    // Two such rules could disagree on upgradeAllowed, and neither is more specific.
                    if (paths.get(k).path().equals(path)
                            && paths.get(k).includeSubPaths() == parsed.includeSubPaths()) {
                        throw new InvalidConfigException(
                                field + ".path: " + path + " is listed twice, also in " + where + ".paths[" + k + "]");
                    }
                }
                paths.add(parsed);
            }
        }
        AccessControlList.HostHeader hostHeader = AccessControlList.HostHeader.VIRTUAL;
        if (entry.hostHeader() != null) {
            if (!protocol.isHttp()) {
                throw new InvalidConfigException(
                        where + ".hostHeader: only HTTP and HTTPS mappings have a Host header");
            }
            try {
                hostHeader =
                        AccessControlList.HostHeader.valueOf(entry.hostHeader().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigException(
                        where + ".hostHeader: '" + entry.hostHeader() + "' is not one of VIRTUAL, INTERNAL");
            }
        }
        AccessControlList.PrincipalType principalType = AccessControlList.PrincipalType.NONE;
        if (entry.principalPropagation() != null) {
            try {
                principalType = AccessControlList.PrincipalType.valueOf(
                        entry.principalPropagation().toUpperCase(Locale.ROOT).replace(".", ""));
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigException(where + ".principalPropagation: '" + entry.principalPropagation()
                        + "' is not one of X509, NONE");
            }
            if (principalType != AccessControlList.PrincipalType.NONE && !protocol.isHttp()) {
                throw new InvalidConfigException(where + ".principalPropagation: only HTTP and HTTPS entries "
                        + "propagate a principal, not " + protocol);
            }
        }
        return new AccessControlList.Mapping(
                virtualHost,
                virtualPorts.first(),
                virtualPorts.last(),
                internalHost,
                internalPorts.first(),
                protocol,
                List.copyOf(paths),
                hostHeader,
                principalType);
    }

    /** A port or an inclusive port range, as written in the file. */
    private record Ports(int first, int last) {

        int count() {
            return last - first + 1;
        }

        boolean isRange() {
            return last != first;
        }

        @Override
        public String toString() {
            return isRange() ? first + "-" + last : Integer.toString(first);
        }
    }

    private static Ports ports(String value, String field) {
        Matcher matcher = PORTS.matcher(value.trim());
        if (!matcher.matches()) {
            throw new InvalidConfigException(field + ": '" + value + "' is not a port or a port range like 3300-3399");
        }
        if (matcher.group(1) != null) {
            int port = port(Integer.parseInt(matcher.group(1)), field);
            return new Ports(port, port);
        }
        int first = Integer.parseInt(matcher.group(2));
        int last = Integer.parseInt(matcher.group(3));
        if (last < first) {
            throw new InvalidConfigException(field + ": range " + first + "-" + last + " ends before it starts");
        }
        if (first < 1 || last > 65535) {
            throw new InvalidConfigException(field + ": must be between 1 and 65535, got " + first + "-" + last);
        }
        return new Ports(first, last);
    }

    /** Ranges map each virtual port to the internal port at the same offset (SAP Cloud Connector's rule). */
    private static void checkRanges(Ports virtualPorts, Ports internalPorts, TargetProtocol protocol, String where) {
        if (protocol.isHttp()) {
            if (virtualPorts.isRange()) {
                throw new InvalidConfigException(where + ".virtualPort: port ranges are only for TCP, RFC and LDAP "
                        + "entries, not " + protocol);
            }
            if (internalPorts.isRange()) {
                throw new InvalidConfigException(where + ".internalPort: port ranges are only for TCP, RFC and LDAP "
                        + "entries, not " + protocol);
            }
        }
        if (internalPorts.isRange() && internalPorts.count() != virtualPorts.count()) {
            throw new InvalidConfigException(where + ".internalPort: range " + internalPorts + " has "
                    + internalPorts.count() + " ports, virtualPort " + virtualPorts + " has " + virtualPorts.count());
        }
        int lastInternal = internalPorts.first() + virtualPorts.count() - 1;
        if (lastInternal > 65535) {
            throw new InvalidConfigException(where + ".internalPort: the " + virtualPorts.count()
                    + " ports of virtualPort " + virtualPorts + " from " + internalPorts.first() + " on end at "
                    + lastInternal + ", above 65535");
        }
    }

    /** Two entries for the same virtual host must not share a virtual port. */
    private static void checkNoOverlap(
            AccessControlList.Mapping mapping, String where, AccessControlList.Mapping earlier, String earlierWhere) {
        boolean sameHost = mapping.virtualHost().equalsIgnoreCase(earlier.virtualHost());
        if (!sameHost
                || mapping.virtualPort() > earlier.lastVirtualPort()
                || earlier.virtualPort() > mapping.lastVirtualPort()) {
            return;
        }
        if (mapping.virtualPort() == mapping.lastVirtualPort() && earlier.virtualPort() == earlier.lastVirtualPort()) {
            throw new InvalidConfigException(
                    where + ": " + mapping.virtualAuthority() + " is mapped twice, also by " + earlierWhere);
        }
        throw new InvalidConfigException(where + ": " + mapping.virtualAuthorities() + " overlaps " + earlierWhere
                + " (" + earlier.virtualAuthorities() + ")");
    }

    private static URI tunnelUrl(String value) {
        try {
            URI url = new URI(value);
            if (!"wss".equals(url.getScheme()) || url.getHost() == null) {
                throw new InvalidConfigException("tunnel.url: must be a wss:// URL with a host, got '" + value + "'");
            }
            return url;
        } catch (URISyntaxException e) {
            throw new InvalidConfigException("tunnel.url: not a URL: " + e.getMessage());
        }
    }

    private static String host(String value, String field) {
        if (value.isEmpty() || value.length() > 253 || !value.matches("[A-Za-z0-9._:\\[\\]-]+")) {
            throw new InvalidConfigException(field + ": '" + value + "' is not a host name or address");
        }
        return value;
    }

    private static int port(int value, String field) {
        if (value < 1 || value > 65535) {
            throw new InvalidConfigException(field + ": must be between 1 and 65535, got " + value);
        }
        return value;
    }

    private static Path file(Path baseDir, String value, String field) {
        Path path = baseDir == null ? Path.of(value) : baseDir.resolve(value);
        if (!Files.isReadable(path)) {
            throw new InvalidConfigException(field + ": file " + path + " does not exist or is not readable");
        }
        return path;
    }

    private static Duration positive(Duration value, Duration fallback, String field) {
        if (value == null) {
            return fallback;
        }
        if (value.isNegative() || value.isZero()) {
            throw new InvalidConfigException(field + ": must be positive, got " + value);
        }
        return value;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static <T> T require(T value, String field) {
        if (value == null) {
            throw new InvalidConfigException(field + ": is required");
        }
        return value;
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "connector";
        }
    }
}

package io.connectivityproxy.connector;

import java.util.List;
import java.util.Locale;

import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.protocol.TargetProtocol;

/**
 * The connector's access control list: which virtual host:port may be reached, with which
 * protocol, on which paths, and where it really lives. Anything not listed is refused — the
 * connector never opens a connection anywhere else. Pure: no I/O.
 */
public final class AccessControlList {

    /** How the backend sees the Host header of an HTTP request. */
    public enum HostHeader {
        /** The virtual host:port, as the cloud side addressed it. */
        VIRTUAL,
        /** The internal host:port; the virtual one travels in X-Forwarded-Host. */
        INTERNAL
    }

    /** SAP's principal type of an entry: what the connector makes of a propagated user. */
    public enum PrincipalType {
        /** No principal propagation: tokens are ignored, nothing about the user reaches the backend. */
        NONE,
        /**
         * A short-lived X.509 certificate for the user, signed by the connector's CA: the TLS
         * client certificate of an HTTPS entry, the {@code SSL_CLIENT_CERT} header of an HTTP one.
         */
        X509
    }

    /**
     * An allowed path: exactly {@code path}, or {@code path} and everything below it. With
     * {@code upgradeAllowed}, requests on it may also ask for a protocol upgrade (WebSocket).
     */
    public record PathRule(String path, boolean includeSubPaths, boolean upgradeAllowed) {

        /** A rule that allows no protocol upgrade. */
        public PathRule(String path, boolean includeSubPaths) {
            this(path, includeSubPaths, false);
        }

        boolean allows(String requestPath) {
            if (requestPath.equals(path)) {
                return true;
            }
            if (!includeSubPaths) {
                return false;
            }
            String prefix = path.endsWith("/") ? path : path + "/";
            return requestPath.startsWith(prefix);
        }

        /** True if this rule says more about a path both allow: the longer path, then the exact rule. */
        boolean moreSpecificThan(PathRule other) {
            if (path.length() != other.path.length()) {
                return path.length() > other.path.length();
            }
            return !includeSubPaths && other.includeSubPaths;
        }
    }

    /**
     * One entry of the list. Raw-byte entries (TCP, RFC, LDAP) may map a range of virtual ports,
     * {@code virtualPort} to {@code lastVirtualPort}, onto as many internal ports from
     * {@code internalPort} on, at the same offset. {@link AccessControlList#decide} returns the
     * entry resolved to the one port asked for, so callers only ever see single ports.
     */
    public record Mapping(
            String virtualHost,
            int virtualPort,
            int lastVirtualPort,
            String internalHost,
            int internalPort,
            TargetProtocol protocol,
            List<PathRule> paths,
            HostHeader hostHeader,
            PrincipalType principalType) {

        public Mapping {
            if (lastVirtualPort < virtualPort) {
                throw new IllegalArgumentException(
                        "port range " + virtualPort + "-" + lastVirtualPort + " ends before it starts");
            }
            if (lastVirtualPort != virtualPort && protocol.isHttp()) {
                throw new IllegalArgumentException("an " + protocol + " entry cannot map a port range");
            }
            if (internalPort + (lastVirtualPort - virtualPort) > 65535) {
                throw new IllegalArgumentException("internal ports from " + internalPort + " end above 65535");
            }
            if (principalType != PrincipalType.NONE && !protocol.isHttp()) {
                throw new IllegalArgumentException(
                        "principal propagation needs an HTTP or HTTPS entry, not " + protocol);
            }
            paths = List.copyOf(paths);
        }

        /** An entry without principal propagation. */
        public Mapping(
                String virtualHost,
                int virtualPort,
                int lastVirtualPort,
                String internalHost,
                int internalPort,
                TargetProtocol protocol,
                List<PathRule> paths,
                HostHeader hostHeader) {
            this(
                    virtualHost,
                    virtualPort,
                    lastVirtualPort,
                    internalHost,
                    internalPort,
                    protocol,
                    paths,
                    hostHeader,
                    PrincipalType.NONE);
        }

        /** An entry for one virtual port. */
        public Mapping(
                String virtualHost,
                int virtualPort,
                String internalHost,
                int internalPort,
                TargetProtocol protocol,
                List<PathRule> paths,
                HostHeader hostHeader) {
            this(virtualHost, virtualPort, virtualPort, internalHost, internalPort, protocol, paths, hostHeader);
        }

        public String virtualAuthority() {
            return virtualHost + ":" + virtualPort;
        }

        /** {@code host:port}, or {@code host:first-last} for a port range. */
        String virtualAuthorities() {
            return virtualAuthority() + (lastVirtualPort == virtualPort ? "" : "-" + lastVirtualPort);
        }

        boolean covers(int port) {
            return port >= virtualPort && port <= lastVirtualPort;
        }

        /** This entry narrowed to one of its virtual ports, and the internal port at the same offset. */
        Mapping resolve(int port) {
            if (port == virtualPort && port == lastVirtualPort) {
                return this;
            }
            return new Mapping(
                    virtualHost,
                    port,
                    port,
                    internalHost,
                    internalPort + (port - virtualPort),
                    protocol,
                    paths,
                    hostHeader,
                    principalType);
        }
    }

    /** The verdict for one stream. */
    public record Decision(Mapping mapping, Reason reason, String message) {

        static Decision allow(Mapping mapping) {
            return new Decision(mapping, null, null);
        }

        static Decision deny(Reason reason, String message) {
            return new Decision(null, reason, message);
        }

        public boolean allowed() {
            return mapping != null;
        }
    }

    private final List<Mapping> mappings;

    public AccessControlList(List<Mapping> mappings) {
        this.mappings = List.copyOf(mappings);
    }

    public List<Mapping> mappings() {
        return mappings;
    }

    /** {@link #decide(TargetProtocol, String, int, String, boolean)} for a request without an upgrade. */
    public Decision decide(TargetProtocol requested, String host, int port, String path) {
        return decide(requested, host, port, path, false);
    }

    /**
     * Decides whether a stream of the requested kind may reach {@code host:port}. The kind is
     * what the cloud side speaks: HTTP exchanges need an HTTP or HTTPS mapping (HTTPS = the
     * connector talks TLS to the backend), raw TCP needs a TCP mapping, RFC and LDAP streams
     * need an RFC or LDAP mapping. An allowed decision carries the entry resolved to {@code port}.
     *
     * @param path for HTTP, the request path without query; ignored otherwise
     * @param upgrade for HTTP, whether the request asks for a protocol upgrade (WebSocket); the
     *            most specific path rule that allows {@code path} must allow it too. Ignored otherwise
     */
    public Decision decide(TargetProtocol requested, String host, int port, String path, boolean upgrade) {
        String denied = "Access denied to system " + host + ":" + port;
        Mapping mapping = find(host, port);
        if (mapping == null) {
            return Decision.deny(Reason.NO_MAPPING, denied + ": no mapping for this virtual host and port");
        }
        if (!compatible(requested, mapping.protocol())) {
            return Decision.deny(
                    Reason.PROTOCOL_NOT_ALLOWED,
                    denied + ": the mapping is for protocol " + mapping.protocol() + ", not " + requested);
        }
        if (requested.isHttp()) {
            if (path == null || !path.startsWith("/") || hasDotSegment(path)) {
                return Decision.deny(Reason.PATH_NOT_ALLOWED, denied + ": path is not in normal form");
            }
            PathRule rule = ruleFor(mapping, path);
            if (rule == null) {
                return Decision.deny(Reason.PATH_NOT_ALLOWED, denied + ": path " + path + " is not allowed");
            }
            if (upgrade && !rule.upgradeAllowed()) {
                return Decision.deny(
                        Reason.PATH_NOT_ALLOWED,
                        denied + ": protocol upgrade (WebSocket) is not allowed for path " + path);
            }
        }
        return Decision.allow(mapping.resolve(port));
    }

    /** The most specific rule that allows {@code path}; of equally specific ones, the first listed. */
    private static PathRule ruleFor(Mapping mapping, String path) {
        PathRule best = null;
        for (PathRule rule : mapping.paths()) {
            if (rule.allows(path) && (best == null || rule.moreSpecificThan(best))) {
                best = rule;
            }
        }
        return best;
    }

    /** The first entry for {@code host} whose virtual ports include {@code port}. */
    private Mapping find(String host, int port) {
        String wanted = host.toLowerCase(Locale.ROOT);
        for (Mapping mapping : mappings) {
            if (mapping.covers(port)
                    && mapping.virtualHost().toLowerCase(Locale.ROOT).equals(wanted)) {
                return mapping;
            }
        }
        return null;
    }

    static boolean compatible(TargetProtocol requested, TargetProtocol mapped) {
        switch (requested) {
            case HTTP:
            case HTTPS:
                return mapped.isHttp();
            case TCP:
                return mapped == TargetProtocol.TCP;
            case RFC:
            case LDAP:
                return mapped == TargetProtocol.RFC || mapped == TargetProtocol.LDAP;
            default:
                return false;
        }
    }

    /** True for paths a backend could resolve outside the allowed prefix ("..", ".", encoded or not). */
    static boolean hasDotSegment(String path) {
        String lower = path.toLowerCase(Locale.ROOT)
                .replace("%2e", ".")
                .replace("%2f", "/")
                .replace("%5c", "/")
                .replace("%3b", ";")
                .replace('\\', '/');
        for (String segment : lower.split("/", -1)) {
            // Servlet containers drop ";parameters" from a segment before resolving it ("..;" is "..").
            int parameters = segment.indexOf(';');
            if (parameters >= 0) {
                segment = segment.substring(0, parameters);
            }
            if (segment.equals(".") || segment.equals("..")) {
                return true;
            }
        }
        return false;
    }
}

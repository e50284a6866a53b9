package io.connectivityproxy.cluster;

/**
 * Event bus addresses and headers of the proxy-service ⇄ tunnel-service hop. Each node has one
 * address per role and frames are routed by stream id inside it, so opening a stream never
 * registers anything with the cluster manager.
 */
public final class BusAddresses {

    /** Header naming the address that sent a frame (where answers go). */
    public static final String FROM = "from";
    /** Headers of an OPEN frame: which sessions may carry the stream. */
    public static final String SUBACCOUNT = "subaccount";

    public static final String LOCATION = "location";
    /** Header of a membership probe ({@link MemberAdmission}); its value is the nonce to answer with. */
    public static final String PROBE = "probe";

    /**
     * Where every tunnel-service node publishes its heartbeat (the body is its node id), for
     * proxy-service nodes to notice a silent one ({@link LivenessTracker}).
     */
    public static final String TUNNEL_HEARTBEAT = "cp.tunnel.heartbeat";

    private BusAddresses() {}

    public static String tunnelNode(String nodeId) {
        return "cp.tunnel." + nodeId;
    }

    public static String proxyNode(String nodeId) {
        return "cp.proxy." + nodeId;
    }
}

package io.connectivityproxy.protocol;

/** The protocol of a connector mapping, as named in the connector's access control list. */
public enum TargetProtocol {
    HTTP(1),
    HTTPS(2),
    TCP(3),
    RFC(4),
    LDAP(5);

    private final int code;

    TargetProtocol(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** True for mappings whose streams carry one HTTP exchange (head in OPEN, then the body). */
    public boolean isHttp() {
        return this == HTTP || this == HTTPS;
    }

    static TargetProtocol ofCode(int code) throws ProtocolException {
        for (TargetProtocol protocol : values()) {
            if (protocol.code == code) {
                return protocol;
            }
        }
        throw new ProtocolException("unknown target protocol " + code);
    }
}

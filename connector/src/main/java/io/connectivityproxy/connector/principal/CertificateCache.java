package io.connectivityproxy.connector.principal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;

/**
 * One user certificate per principal (user type and subject) while it is valid: a new one is
 * made once less than {@link #renewBefore()} of its validity is left, so a backend never gets a
 * certificate that expires during the handshake. Time comes from the injected clock.
 */
public final class CertificateCache {

    /** The most principals kept; beyond it the expired ones go, then all (a flood of users). */
    static final int MAX_ENTRIES = 10_000;

    private final UserCertificateAuthority authority;
    private final Duration validity;
    private final Clock clock;
    private final Duration renewBefore;
    private final Map<String, UserCredential> byPrincipal = new ConcurrentHashMap<>();
    private final AtomicLong issued = new AtomicLong();

    public CertificateCache(UserCertificateAuthority authority, Duration validity, Clock clock) {
        this.authority = authority;
        this.validity = validity;
        this.clock = clock;
        // A quarter of the validity, at most a minute: "shortly before expiry".
        Duration quarter = validity.dividedBy(4);
        this.renewBefore = quarter.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : quarter;
    }

    /** How long before its end a certificate is replaced. */
    public Duration renewBefore() {
        return renewBefore;
    }

    /** Certificates made so far (a metric). */
    public long issued() {
        return issued.get();
    }

    /** Principals with a certificate now. */
    public int size() {
        return byPrincipal.size();
    }

    /** The principal's certificate: the cached one while it is good, else a new one. */
    public UserCredential credentialFor(UserType type, X500Principal subject) {
        String key = type.name() + "|" + subject.getName(X500Principal.RFC2253);
        Instant now = clock.instant();
        UserCredential known = byPrincipal.get(key);
        if (known != null && fresh(known, now)) {
            return known;
        }
        if (known == null && byPrincipal.size() >= MAX_ENTRIES) {
            byPrincipal.values().removeIf(credential -> !fresh(credential, now));
            if (byPrincipal.size() >= MAX_ENTRIES) {
                byPrincipal.clear();
            }
        }
        return byPrincipal.compute(key, (k, current) -> {
            if (current != null && fresh(current, now)) {
                return current;
            }
            issued.incrementAndGet();
            return authority.issue(subject, now, validity);
        });
    }

    private boolean fresh(UserCredential credential, Instant now) {
        return now.isBefore(credential.notAfter().minus(renewBefore));
    }
}

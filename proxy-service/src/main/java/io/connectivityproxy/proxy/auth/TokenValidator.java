package io.connectivityproxy.proxy.auth;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.vertx.core.Future;

/**
 * Checks a JWT as SAP's connectivity proxy does: an accepted issuer, a signature by one of that
 * issuer's published keys (JWKS, selected by {@code kid}), exp/nbf/iat within the clock skew, and
 * the allowed client id. Never blocks: keys come from {@link JwksCache}, and a token already
 * checked is answered from a bounded cache until it expires.
 */
public final class TokenValidator {

    private static final int MAX_CACHED = 10_000;

    private final List<String> issuers;
    private final Optional<String> jwksUrl;
    private final String allowedClientId;
    private final int skewSeconds;
    private final JwksCache keys;
    private final Clock clock;
    private final Map<String, TokenRules.Principal> checked = new ConcurrentHashMap<>();

    public TokenValidator(
            List<String> issuers,
            Optional<String> jwksUrl,
            String allowedClientId,
            int skewSeconds,
            JwksCache keys,
            Clock clock) {
        this.issuers = List.copyOf(issuers);
        this.jwksUrl = jwksUrl;
        this.allowedClientId = allowedClientId;
        this.skewSeconds = skewSeconds;
        this.keys = keys;
        this.clock = clock;
    }

    /** Who the token is for, or a failed future with a {@link TokenException}. */
    public Future<TokenRules.Principal> validate(String token) {
        TokenRules.Principal known = token == null ? null : checked.get(token);
        long now = clock.millis() / 1000;
        if (known != null) {
            if (known.expiresAtSeconds() + skewSeconds >= now) {
                return Future.succeededFuture(known);
            }
            checked.remove(token);
        }
        TokenRules.Unverified unverified;
        try {
            unverified = TokenRules.firstLook(token);
        } catch (TokenException e) {
            return Future.failedFuture(e);
        }
        if (!issuers.contains(unverified.issuer())) {
            return Future.failedFuture(new TokenException(
                    TokenException.Kind.ISSUER,
                    "the token's issuer '" + TokenRules.shown(unverified.issuer()) + "' is not accepted"));
        }
        return keys.key(jwksUrl.orElseGet(() -> jwksUrlOf(unverified.issuer())), unverified.keyId())
                .compose(key -> {
                    try {
                        TokenRules.Principal principal =
                                TokenRules.verify(unverified, key, allowedClientId, skewSeconds);
                        if (checked.size() >= MAX_CACHED) {
                            checked.clear();
                        }
                        checked.put(token, principal);
                        return Future.succeededFuture(principal);
                    } catch (TokenException e) {
                        return Future.failedFuture(e);
                    }
                });
    }

    /** XSUAA's layout: the issuer without a trailing {@code /oauth/token}, plus {@code /token_keys}. */
    static String jwksUrlOf(String issuer) {
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        if (base.endsWith("/oauth/token")) {
            base = base.substring(0, base.length() - "/oauth/token".length());
        }
        return base + "/token_keys";
    }
}

package io.connectivityproxy.proxy.auth;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

import io.connectivityproxy.protocol.Ids;
import io.connectivityproxy.protocol.http.Fields;
import io.vertx.core.Future;

/**
 * SAP's four operational modes (proxy authorization on or off per server, tenant mode dedicated
 * or shared): which subaccount a request is for, and whether it may be served at all.
 *
 * <table>
 * <tr><th>authorization</th><th>tenant mode</th><th>subaccount</th></tr>
 * <tr><td>off</td><td>dedicated</td><td>the configured one</td></tr>
 * <tr><td>on</td><td>dedicated</td><td>the configured one; the token must be valid and of it</td></tr>
 * <tr><td>on</td><td>shared</td><td>the valid token's</td></tr>
 * <tr><td>off</td><td>shared</td><td>the token in SAP-CP-Connectivity-Service-Token, trusted unchecked</td></tr>
 * </table>
 */
public final class ProxyAuthorization {

    /** SAP's header naming the tenant in the multi-tenant trusted mode. */
    public static final String SERVICE_TOKEN_HEADER = "SAP-CP-Connectivity-Service-Token";

    /** A request that is refused: {@code status} 407 (authorization) or 400 (no tenant in trusted shared mode). */
    public static final class Refused extends RuntimeException {
        public final int status;
        public final TokenException.Kind kind;

        Refused(int status, TokenException.Kind kind, String message) {
            super(message, null, false, false);
            this.status = status;
            this.kind = kind;
        }
    }

    private final boolean shared;
    private final String subaccount;
    private final TokenValidator validator;
    private final Consumer<TokenException.Kind> refusals;

    /** {@code validator} may be null when no server has proxy authorization on. */
    public ProxyAuthorization(
            boolean shared, String subaccount, TokenValidator validator, Consumer<TokenException.Kind> refusals) {
        this.shared = shared;
        this.subaccount = subaccount;
        this.validator = validator;
        this.refusals = refusals;
    }

    public static boolean sharedMode(String tenantMode) {
        return switch (tenantMode.toLowerCase(Locale.ROOT)) {
            case "shared" -> true;
            case "dedicated" -> false;
            default ->
                throw new IllegalArgumentException(
                        "proxy.tenant-mode must be dedicated or shared, got '" + tenantMode + "'");
        };
    }

    /** The subaccount of an HTTP request (or CONNECT) on a server with authorization {@code required}. */
    public Future<String> http(List<Map.Entry<String, String>> fields, boolean required) {
        if (required) {
            String credentials = Fields.first(fields, "proxy-authorization");
            if (credentials == null) {
                return refused(
                        407,
                        TokenException.Kind.MISSING,
                        "proxy authorization required: send Proxy-Authorization: Bearer <token>");
            }
            if (!credentials.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return refused(407, TokenException.Kind.MALFORMED, "Proxy-Authorization must use the Bearer scheme");
            }
            return checked(credentials.substring(7).trim());
        }
        if (!shared) {
            return Future.succeededFuture(subaccount);
        }
        String token = Fields.first(fields, SERVICE_TOKEN_HEADER.toLowerCase(Locale.ROOT));
        if (token != null && token.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = token.substring(7).trim();
        }
        return trusted(token, 400, "in shared tenant mode send the tenant's token in " + SERVICE_TOKEN_HEADER);
    }

    /** The subaccount of a SOCKS5 stream: {@code token} is method 0x80's, or null for method 0x00. */
    public Future<String> socks(String token, boolean required) {
        if (required) {
            if (token == null) {
                return refused(
                        407,
                        TokenException.Kind.MISSING,
                        "proxy authorization required: use method 0x80 " + "with a token");
            }
            return checked(token);
        }
        if (!shared) {
            return Future.succeededFuture(subaccount);
        }
        return trusted(token, 407, "in shared tenant mode send the tenant's token with method 0x80");
    }

    private Future<String> checked(String token) {
        return validator.validate(token).transform(ar -> {
            if (ar.failed()) {
                TokenException e = ar.cause() instanceof TokenException t
                        ? t
                        : new TokenException(TokenException.Kind.MALFORMED, "the token cannot be checked");
                return refused(407, e.kind(), "proxy authorization failed: " + e.getMessage());
            }
            TokenRules.Principal principal = ar.result();
            if (!Ids.valid(principal.subaccount()) || principal.subaccount().isEmpty()) {
                return refused(
                        407,
                        TokenException.Kind.SUBACCOUNT,
                        "proxy authorization failed: the token's " + "subaccount is not a valid id");
            }
            if (!shared && !principal.subaccount().equals(subaccount)) {
                return refused(
                        407,
                        TokenException.Kind.SUBACCOUNT,
                        "proxy authorization failed: the token is for " + "another subaccount than this proxy's");
            }
            return Future.succeededFuture(principal.subaccount());
        });
    }

    private Future<String> trusted(String token, int status, String hint) {
        if (token == null || token.isEmpty()) {
            return refused(status, TokenException.Kind.MISSING, hint);
        }
        try {
            String id = TokenRules.trustedSubaccount(token);
            if (!Ids.valid(id)) {
                return refused(status, TokenException.Kind.SUBACCOUNT, "the token's subaccount is not a valid id");
            }
            return Future.succeededFuture(id);
        } catch (TokenException e) {
            return refused(status, e.kind(), e.getMessage());
        }
    }

    private <T> Future<T> refused(int status, TokenException.Kind kind, String message) {
        refusals.accept(kind);
        return Future.failedFuture(new Refused(status, kind, message));
    }
}

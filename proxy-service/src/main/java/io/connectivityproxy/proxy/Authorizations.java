package io.connectivityproxy.proxy;

import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import io.connectivityproxy.protocol.Ids;
import io.connectivityproxy.proxy.auth.JwksCache;
import io.connectivityproxy.proxy.auth.ProxyAuthorization;
import io.connectivityproxy.proxy.auth.TokenException;
import io.connectivityproxy.proxy.auth.TokenValidator;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.PemTrustOptions;

/** Builds the proxy's {@link ProxyAuthorization} from its settings, refusing a mode that cannot work. */
final class Authorizations {

    private static final Logger LOG = Logger.getLogger(Authorizations.class);

    private Authorizations() {}

    static ProxyAuthorization create(Vertx vertx, ProxySettings settings, Consumer<TokenException.Kind> refusals) {
        boolean shared;
        try {
            shared = ProxyAuthorization.sharedMode(settings.tenantMode());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage());
        }
        if (!shared && (settings.subaccount().isEmpty() || !Ids.valid(settings.subaccount()))) {
            throw new IllegalStateException(
                    "SubaccountId is required if tenant mode is dedicated: set proxy.subaccount");
        }
        boolean anyRequired = settings.http().authorizationEnabled()
                || settings.socks5().authorizationEnabled()
                || settings.rfcAndLdapAuthorizationEnabled();
        TokenValidator validator = null;
        ProxySettings.Authorization auth = settings.authorization();
        if (anyRequired) {
            String clientId = auth.allowedClientId()
                    .filter(id -> !id.isBlank())
                    .orElseThrow(() -> new IllegalStateException(
                            "Allowed client id is required if proxy authorization is enabled: set "
                                    + "proxy.authorization.allowed-client-id"));
            List<String> issuers = auth.issuers().orElse(List.of()).stream()
                    .filter(i -> !i.isBlank())
                    .toList();
            if (issuers.isEmpty()) {
                throw new IllegalStateException(
                        "proxy authorization needs the accepted token issuers: set " + "proxy.authorization.issuers");
            }
            for (String url :
                    auth.jwksUrl().filter(u -> !u.isBlank()).map(List::of).orElse(issuers)) {
                if (!url.startsWith("https://")) {
                    throw new IllegalStateException("proxy authorization: token issuers and the JWKS URL must be "
                            + "https:// URLs, got '" + url + "'");
                }
            }
            HttpClientOptions options =
                    new HttpClientOptions().setSsl(true).setVerifyHost(true).setConnectTimeout(5000);
            auth.trustCa().ifPresent(ca -> options.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
            JwksCache keys = new JwksCache(
                    vertx,
                    vertx.createHttpClient(options),
                    auth.jwksRefreshInterval(),
                    auth.jwksMinRefreshInterval(),
                    System::nanoTime,
                    true);
            validator = new TokenValidator(
                    issuers,
                    auth.jwksUrl().filter(u -> !u.isBlank()),
                    clientId,
                    (int) auth.clockSkew().toSeconds(),
                    keys,
                    Clock.systemUTC());
        }
        LOG.infof(
                "tenant mode %s%s; proxy authorization: HTTP %s, SOCKS5 %s, RFC/LDAP %s",
                shared ? "shared" : "dedicated",
                shared ? "" : " (subaccount " + settings.subaccount() + ")",
                onOff(settings.http().authorizationEnabled()),
                onOff(settings.socks5().authorizationEnabled()),
                onOff(settings.rfcAndLdapAuthorizationEnabled()));
        return new ProxyAuthorization(shared, settings.subaccount(), validator, refusals);
    }

    private static String onOff(boolean on) {
        return on ? "on" : "off";
    }
}

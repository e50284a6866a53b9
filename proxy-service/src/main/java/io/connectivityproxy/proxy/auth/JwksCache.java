package io.connectivityproxy.proxy.auth;

import java.net.URI;
import java.security.Key;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.jboss.logging.Logger;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * The issuers' signing keys (JWKS), fetched over HTTPS without blocking, cached per URL and
 * selected by key id. Keys are fetched again every refresh interval (rotation) and at most once
 * per minimum interval for a key id not seen yet; a failed fetch keeps the keys already known, so
 * a briefly unreachable issuer does not stop requests whose keys are cached.
 */
public final class JwksCache {

    private static final Logger LOG = Logger.getLogger(JwksCache.class);
    private static final int MAX_JWKS_BYTES = 1024 * 1024;

    /** The keys of one URL and when they were last asked for. */
    private static final class Entry {
        volatile Map<String, Key> keys = Map.of();
        volatile long fetchedAt = Long.MIN_VALUE / 2;
        volatile long attemptedAt = Long.MIN_VALUE / 2;
        Future<Void> inFlight;
    }

    private final Vertx vertx;
    private final HttpClient client;
    private final Duration refreshInterval;
    private final Duration minRefreshInterval;
    private final LongSupplier nanoClock;
    private final boolean httpsOnly;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /** {@code httpsOnly}: refuse keys from anything but https:// URLs (false only in tests). */
    public JwksCache(
            Vertx vertx,
            HttpClient client,
            Duration refreshInterval,
            Duration minRefreshInterval,
            LongSupplier nanoClock,
            boolean httpsOnly) {
        this.httpsOnly = httpsOnly;
        this.vertx = vertx;
        this.client = client;
        this.refreshInterval = refreshInterval;
        this.minRefreshInterval = minRefreshInterval;
        this.nanoClock = nanoClock;
    }

    /** The key {@code keyId} (or the only key, when the token names none) of the JWKS at {@code url}. */
    public Future<Key> key(String url, String keyId) {
        Entry entry = entries.computeIfAbsent(url, u -> new Entry());
        long now = nanoClock.getAsLong();
        Key known = pick(entry.keys, keyId);
        boolean stale = now - entry.fetchedAt > refreshInterval.toNanos();
        if (known != null && !stale) {
            return Future.succeededFuture(known);
        }
        if (known != null) {
            // Rotation check in the background; the key in hand serves meanwhile.
            refresh(url, entry, now);
            return Future.succeededFuture(known);
        }
        if (now - entry.attemptedAt < minRefreshInterval.toNanos() && entry.inFlight == null) {
            return Future.failedFuture(unknown(keyId, entry));
        }
        return refresh(url, entry, now).transform(done -> {
            Key fetched = pick(entry.keys, keyId);
            if (fetched != null) {
                return Future.succeededFuture(fetched);
            }
            if (done.failed() && entry.keys.isEmpty()) {
                return Future.failedFuture(new TokenException(
                        TokenException.Kind.KEYS_UNAVAILABLE, "the issuer's signing keys cannot be fetched"));
            }
            return Future.failedFuture(unknown(keyId, entry));
        });
    }

    private static TokenException unknown(String keyId, Entry entry) {
        return new TokenException(
                TokenException.Kind.UNKNOWN_KEY,
                keyId == null
                        ? "the token names no key id (kid) and the issuer has " + entry.keys.size() + " keys"
                        : "the token's key id '" + TokenRules.shown(keyId) + "' is not one of the issuer's keys");
    }

    private static Key pick(Map<String, Key> keys, String keyId) {
        if (keyId == null) {
            return keys.size() == 1 ? keys.values().iterator().next() : null;
        }
        return keys.get(keyId);
    }

    private synchronized Future<Void> refresh(String url, Entry entry, long now) {
        if (entry.inFlight != null) {
            return entry.inFlight;
        }
        entry.attemptedAt = now;
        Promise<Void> done = Promise.promise();
        entry.inFlight = done.future();
        fetch(url).onComplete(ar -> {
            synchronized (this) {
                entry.inFlight = null;
            }
            if (ar.succeeded()) {
                entry.keys = ar.result();
                entry.fetchedAt = nanoClock.getAsLong();
                LOG.debugf("JWKS %s: %d keys", url, ar.result().size());
                done.complete();
            } else {
                LOG.warnf(
                        "cannot fetch the signing keys from %s: %s%s",
                        url,
                        ar.cause().getMessage(),
                        entry.keys.isEmpty() ? "" : "; the " + entry.keys.size() + " keys known stay in force");
                done.fail(ar.cause());
            }
        });
        return done.future();
    }

    private Future<Map<String, Key>> fetch(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return Future.failedFuture(e);
        }
        if (httpsOnly && !"https".equalsIgnoreCase(uri.getScheme())) {
            return Future.failedFuture("signing keys are only fetched over https://");
        }
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(uri.toString())
                .setTimeout(5000)
                .addHeader("Accept", "application/json");
        return client.request(options)
                .compose(request -> request.send())
                .compose(response -> {
                    if (response.statusCode() != 200) {
                        return Future.failedFuture("HTTP " + response.statusCode());
                    }
                    return response.body();
                })
                .compose(body -> vertx.executeBlocking(() -> parse(body), false));
    }

    /** The public keys of a JWKS document, by key id; keys without an id get their position. */
    static Map<String, Key> parse(Buffer body) throws Exception {
        if (body.length() > MAX_JWKS_BYTES) {
            throw new IllegalArgumentException("the JWKS document exceeds " + MAX_JWKS_BYTES + " bytes");
        }
        JsonWebKeySet set = new JsonWebKeySet(body.toString());
        Map<String, Key> keys = new HashMap<>();
        int position = 0;
        for (JsonWebKey key : set.getJsonWebKeys()) {
            if (key instanceof PublicJsonWebKey publicKey && publicKey.getPublicKey() != null) {
                keys.put(key.getKeyId() != null ? key.getKeyId() : "#" + position, publicKey.getPublicKey());
            }
            position++;
        }
        return Map.copyOf(keys);
    }
}

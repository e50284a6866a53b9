package io.connectivityproxy.sample;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * A token issuer to try proxy authorization locally, shaped like XSUAA: serves its signing key
 * as a JWKS at {@code https://localhost:<port>/token_keys} and mints RS256 tokens with SAP's
 * claims at {@code /token?subaccount=<id>&client_id=<id>} (a client's token) and
 * {@code /token?user=<name>} (a business user's token, for principal propagation). For trying things out only: anyone
 * who reaches it gets a token. JDK only, so it starts anywhere a JRE does.
 *
 * <p>Usage: {@code java -cp sample-backend.jar io.connectivityproxy.sample.SampleIssuer <port>
 * <server.pem> <server-key.pem>} (a PEM certificate and its PKCS#8 key, e.g. the development
 * ones run-local.sh generates).
 */
public final class SampleIssuer {

    static final String DEFAULT_CLIENT = "sb-connectivity-proxy!b1";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final KeyPair keys;
    private final String kid = "sample-key-1";
    private final String issuer;

    private SampleIssuer(KeyPair keys, String issuer) {
        this.keys = keys;
        this.issuer = issuer;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: SampleIssuer <port> <server.pem> <server-key.pem>");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        SampleIssuer issuer =
                new SampleIssuer(generator.generateKeyPair(), "https://localhost:" + port + "/oauth/token");
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.setHttpsConfigurator(new HttpsConfigurator(tls(Path.of(args[1]), Path.of(args[2]))));
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/token_keys", issuer::jwks);
        server.createContext("/token", issuer::token);
        server.start();
        System.out.println("sample token issuer " + issuer.issuer + " listening on https://localhost:" + port);
    }

    private void jwks(HttpExchange exchange) throws IOException {
        RSAPublicKey key = (RSAPublicKey) keys.getPublic();
        String json = "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"" + kid + "\",\"n\":\""
                + B64.encodeToString(unsigned(key.getModulus())) + "\",\"e\":\""
                + B64.encodeToString(unsigned(key.getPublicExponent())) + "\"}]}";
        send(exchange, 200, "application/json", json);
    }

    private void token(HttpExchange exchange) throws IOException {
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        String subaccount = query.getOrDefault("subaccount", "dev-subaccount");
        String client = query.getOrDefault("client_id", DEFAULT_CLIENT);
        if (!subaccount.matches("[A-Za-z0-9._~-]{1,128}") || !client.matches("[A-Za-z0-9._~!|-]{1,128}")) {
            send(exchange, 400, "text/plain", "subaccount and client_id: letters, digits and . _ ~ - only\n");
            return;
        }
        String user = query.get("user");
        if (user != null && !user.matches("[A-Za-z0-9._~-]{1,64}")) {
            send(exchange, 400, "text/plain", "user: letters, digits and . _ ~ - only, at most 64\n");
            return;
        }
        long now = System.currentTimeMillis() / 1000;
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\"}";
        // With user=<name> a business user's token (XSUAA's authorization_code claims), else the client's own.
        String subject = user == null
                ? "\"sub\":\"" + client + "\",\"grant_type\":\"client_credentials\""
                : "\"sub\":\"user-id-" + user + "\",\"user_name\":\"" + user + "\",\"email\":\"" + user
                        + "@example.com\",\"origin\":\"sample\",\"grant_type\":\"authorization_code\"";
        String claims = "{\"iss\":\"" + issuer + "\",\"client_id\":\"" + client + "\",\"cid\":\"" + client
                + "\",\"zid\":\"" + subaccount + "\",\"ext_attr\":{\"subaccountid\":\"" + subaccount
                + "\"}," + subject + ",\"iat\":" + now + ",\"exp\":" + (now + 3600) + "}";
        String signingInput = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(keys.getPrivate());
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            send(exchange, 200, "text/plain", signingInput + "." + B64.encodeToString(signature.sign()) + "\n");
        } catch (java.security.GeneralSecurityException e) {
            send(exchange, 500, "text/plain", "cannot sign: " + e.getMessage() + "\n");
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(
                        URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", type);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** A big integer's magnitude without the sign byte Java adds, as JWK wants it. */
    private static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return bytes[0] == 0 && bytes.length > 1 ? java.util.Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }

    private static SSLContext tls(Path certificate, Path key) throws Exception {
        Certificate[] chain;
        try (InputStream in = Files.newInputStream(certificate)) {
            chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(in)
                    .toArray(new Certificate[0]);
        }
        String pem = Files.readString(key).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey privateKey = privateKey(Base64.getDecoder().decode(pem));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", privateKey, new char[0], chain);
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(factory.getKeyManagers(), null, null);
        return context;
    }

    private static PrivateKey privateKey(byte[] pkcs8) throws Exception {
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (java.security.spec.InvalidKeySpecException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("the key is neither an RSA nor an EC PKCS#8 key");
    }
}

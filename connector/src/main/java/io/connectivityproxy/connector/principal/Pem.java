package io.connectivityproxy.connector.principal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PEM in and out with the JDK alone (RFC 7468): certificates and PKCS#8 private keys. */
final class Pem {

    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

    private Pem() {}

    static String encode(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    /** The DER contents of every block with {@code label} in the text. */
    static List<byte[]> blocks(String text, String label) {
        List<byte[]> out = new ArrayList<>();
        Matcher matcher = BLOCK.matcher(text);
        while (matcher.find()) {
            if (matcher.group(1).equals(label)) {
                out.add(Base64.getMimeDecoder().decode(matcher.group(2)));
            }
        }
        return out;
    }

    static List<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        List<X509Certificate> out = new ArrayList<>();
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        for (byte[] der : blocks(Files.readString(file), "CERTIFICATE")) {
            out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
        }
        if (out.isEmpty()) {
            throw new GeneralSecurityException("no PEM certificate in " + file);
        }
        return out;
    }

    /** The one PKCS#8 ("PRIVATE KEY") key of the file, EC or RSA. */
    static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        List<byte[]> keys = blocks(Files.readString(file), "PRIVATE KEY");
        if (keys.size() != 1) {
            throw new GeneralSecurityException(
                    "expected one PEM PKCS#8 key (BEGIN PRIVATE KEY) in " + file + ", found " + keys.size());
        }
        for (String algorithm : new String[] {"EC", "RSA"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(keys.get(0)));
            } catch (InvalidKeySpecException e) {
                // the next algorithm
            }
        }
        throw new GeneralSecurityException("the key in " + file + " is neither an EC nor an RSA PKCS#8 key");
    }
}

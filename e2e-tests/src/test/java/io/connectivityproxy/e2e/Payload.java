package io.connectivityproxy.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Deterministic test bytes: byte i of every payload is a fixed function of i, so both ends agree. */
final class Payload {

    static final int BLOCK = 64 * 1024;

    private Payload() {}

    /** Fills {@code out} with the payload bytes starting at {@code offset}. */
    static void fill(byte[] out, long offset) {
        for (int i = 0; i < out.length; i++) {
            long x = offset + i;
            out[i] = (byte) ((x * 0x9E3779B97F4A7C15L) >>> 56 ^ x);
        }
    }

    /** SHA-256 of the first {@code length} payload bytes. */
    static String sha256(long length) {
        MessageDigest digest = digest();
        byte[] block = new byte[BLOCK];
        for (long offset = 0; offset < length; offset += BLOCK) {
            fill(block, offset);
            digest.update(block, 0, (int) Math.min(BLOCK, length - offset));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** SHA-256 and length of everything {@code in} yields. */
    static String sha256(InputStream in, long[] length) throws IOException {
        MessageDigest digest = digest();
        byte[] buffer = new byte[BLOCK];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
            total += n;
        }
        length[0] = total;
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

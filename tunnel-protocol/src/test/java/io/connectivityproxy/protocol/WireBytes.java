package io.connectivityproxy.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** Byte-level helpers for the codec tests: hex in and out, header surgery, frame comparison. */
final class WireBytes {

    private WireBytes() {}

    /** The bytes spelled by the hex digits of all parts; whitespace is ignored. */
    static byte[] hex(String... parts) {
        return HexFormat.of().parseHex(String.join("", parts).replaceAll("\\s", ""));
    }

    static String toHex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** A protocol string: u16 length and the UTF-8 bytes. */
    static byte[] str(String value) {
        return lengthPrefixed(value.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] lengthPrefixed(byte[] bytes) {
        return concat(new byte[] {(byte) (bytes.length >>> 8), (byte) bytes.length}, bytes);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static byte[] u16(int value) {
        return new byte[] {(byte) (value >>> 8), (byte) value};
    }

    static byte[] u32(int value) {
        byte[] out = new byte[4];
        FrameCodec.putInt(out, 0, value);
        return out;
    }

    /** A frame with a consistent length field around {@code payload}. */
    static byte[] frame(int type, int streamId, byte[] payload) {
        return concat(new byte[] {(byte) type, 0}, u32(streamId), u32(payload.length), payload);
    }

    static byte[] payload(byte[] frame) {
        return Arrays.copyOfRange(frame, FrameCodec.HEADER_LENGTH, frame.length);
    }

    static byte[] withType(byte[] frame, int type) {
        byte[] out = frame.clone();
        out[0] = (byte) type;
        return out;
    }

    static byte[] withFlags(byte[] frame, int flags) {
        byte[] out = frame.clone();
        out[1] = (byte) flags;
        return out;
    }

    static byte[] withStreamId(byte[] frame, int streamId) {
        byte[] out = frame.clone();
        FrameCodec.putInt(out, 2, streamId);
        return out;
    }

    /** The frame with its length field set to {@code length}, whatever follows. */
    static byte[] withLengthField(byte[] frame, int length) {
        byte[] out = frame.clone();
        FrameCodec.putInt(out, 6, length);
        return out;
    }

    /** The frame's header (flags kept, length fixed up) around another payload. */
    static byte[] withPayload(byte[] frame, byte[] payload) {
        return withFlags(frame(frame[0] & 0xff, streamIdField(frame), payload), frame[1] & 0xff);
    }

    static int streamIdField(byte[] frame) {
        return (frame[2] & 0xff) << 24 | (frame[3] & 0xff) << 16 | (frame[4] & 0xff) << 8 | frame[5] & 0xff;
    }

    static byte[] repeat(char c, int times) {
        byte[] out = new byte[times];
        Arrays.fill(out, (byte) c);
        return out;
    }

    /** Valid frames of every type, edge values included. */
    static List<Frame> samples() {
        return List.of(
                new Frame.Hello(1, "connector-1", "loc-a"),
                new Frame.Hello(0xffff, "c", ""),
                new Frame.HelloOk(1, "s-7", 100),
                new Frame.HelloOk(1, "", Integer.MAX_VALUE),
                new Frame.Open(1, TargetProtocol.TCP, "db", 5432, 65536, new byte[0]),
                new Frame.Open(3, TargetProtocol.HTTP, "erp.internal", 80, 0, new byte[] {1, 2, 3}),
                new Frame.Open(Integer.MAX_VALUE, TargetProtocol.LDAP, "h", 65535, Integer.MAX_VALUE, new byte[0]),
                new Frame.Open(
                        5,
                        TargetProtocol.HTTPS,
                        "erp",
                        443,
                        65536,
                        new byte[] {4, 5},
                        new PrincipalTokens("eyJh.eyJz.c2ln", "")),
                new Frame.Open(7, TargetProtocol.HTTP, "erp", 80, 0, new byte[0], new PrincipalTokens("", "t.t.t")),
                new Frame.ChannelOpen(2, TargetProtocol.TCP, "erp-events", 262144),
                new Frame.Replicas("node-a", List.of(new Frame.Replica("node-a", "wss://cp.example.com/tunnel/cp-0"))),
                new Frame.Replicas("", List.of()),
                new Frame.ChannelOpen(Integer.MAX_VALUE - 1, TargetProtocol.RFC, "s", 0),
                new Frame.OpenOk(1, 262144),
                new Frame.OpenOk(2, 0),
                new Frame.OpenFail(5, Reason.NO_MAPPING, "Access denied to system db:5432"),
                new Frame.OpenFail(5, Reason.UNAUTHORIZED, ""),
                new Frame.Data(7, new byte[] {0, (byte) 0xff, 0x13}),
                new Frame.Data(7, new byte[0]),
                new Frame.WindowUpdate(9, 1),
                new Frame.WindowUpdate(9, Integer.MAX_VALUE),
                new Frame.Fin(11),
                new Frame.Rst(13, Reason.BACKEND_RESET, "connection reset by peer"),
                new Frame.Ping(0x0102030405060708L),
                new Frame.Pong(-1L),
                new Frame.GoAway(Reason.PROTOCOL_ERROR, "unsupported protocol version 9"));
    }

    /** Records compare arrays by identity, so OPEN and DATA are compared field by field. */
    static void assertFrameEquals(Frame expected, Frame actual) {
        assertEquals(expected.getClass(), actual.getClass());
        if (expected instanceof Frame.Open e) {
            Frame.Open a = (Frame.Open) actual;
            assertEquals(
                    new Frame.Open(e.streamId(), e.protocol(), e.host(), e.port(), e.window(), null, e.principals()),
                    new Frame.Open(a.streamId(), a.protocol(), a.host(), a.port(), a.window(), null, a.principals()));
            assertArrayEquals(e.head(), a.head());
        } else if (expected instanceof Frame.Data e) {
            assertEquals(e.streamId(), actual.streamId());
            assertArrayEquals(e.payload(), ((Frame.Data) actual).payload());
        } else {
            assertEquals(expected, actual);
        }
    }
}

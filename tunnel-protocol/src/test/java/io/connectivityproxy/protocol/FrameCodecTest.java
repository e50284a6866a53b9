package io.connectivityproxy.protocol;

import static io.connectivityproxy.protocol.WireBytes.assertFrameEquals;
import static io.connectivityproxy.protocol.WireBytes.concat;
import static io.connectivityproxy.protocol.WireBytes.frame;
import static io.connectivityproxy.protocol.WireBytes.hex;
import static io.connectivityproxy.protocol.WireBytes.lengthPrefixed;
import static io.connectivityproxy.protocol.WireBytes.payload;
import static io.connectivityproxy.protocol.WireBytes.repeat;
import static io.connectivityproxy.protocol.WireBytes.str;
import static io.connectivityproxy.protocol.WireBytes.toHex;
import static io.connectivityproxy.protocol.WireBytes.u16;
import static io.connectivityproxy.protocol.WireBytes.u32;
import static io.connectivityproxy.protocol.WireBytes.withFlags;
import static io.connectivityproxy.protocol.WireBytes.withLengthField;
import static io.connectivityproxy.protocol.WireBytes.withPayload;
import static io.connectivityproxy.protocol.WireBytes.withStreamId;
import static io.connectivityproxy.protocol.WireBytes.withType;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Byte-by-byte tests of the frame layout in docs/tunnel-protocol.md and every decoder rule. */
class FrameCodecTest {

    // ---- every frame type, exact bytes both ways ------------------------------------------

    static Stream<Arguments> wireExamples() {
        return Stream.of(
                Arguments.of(
                        new Frame.Hello(1, "c1", "loc"),
                        hex("01 00 00000000 0000000b", "0001", "0002 6331", "0003 6c6f63")),
                Arguments.of(
                        new Frame.Hello(1, "conn", ""),
                        hex("01 00 00000000 0000000a", "0001", "0004 636f6e6e", "0000")),
                Arguments.of(
                        new Frame.HelloOk(1, "s-7", 100),
                        hex("02 00 00000000 0000000b", "0001", "0003 732d37", "00000064")),
                Arguments.of(
                        new Frame.Open(1, TargetProtocol.TCP, "db", 5432, 65536, new byte[0]),
                        hex("10 00 00000001 0000000b", "03", "0002 6462", "1538", "00010000")),
                Arguments.of(
                        new Frame.Open(3, TargetProtocol.HTTP, "h", 80, 16384, hex("cafe")),
                        hex("10 00 00000003 0000000c", "01", "0001 68", "0050", "00004000", "cafe")),
                Arguments.of(
                        new Frame.Open(5, TargetProtocol.HTTPS, "h", 443, 0, new byte[0]),
                        hex("10 00 00000005 0000000a", "02", "0001 68", "01bb", "00000000")),
                Arguments.of(
                        new Frame.Open(7, TargetProtocol.RFC, "s", 3300, 1, new byte[0]),
                        hex("10 00 00000007 0000000a", "04", "0001 73", "0ce4", "00000001")),
                Arguments.of(
                        new Frame.Open(9, TargetProtocol.LDAP, "l", 389, Integer.MAX_VALUE, new byte[0]),
                        hex("10 00 00000009 0000000a", "05", "0001 6c", "0185", "7fffffff")),
                Arguments.of(
                        new Frame.Open(
                                11, TargetProtocol.HTTP, "h", 80, 16384, hex("cafe"), new PrincipalTokens("a.b.c", "")),
                        hex(
                                "10 02 0000000b 00000015",
                                "01",
                                "0001 68",
                                "0050",
                                "00004000",
                                "0005 612e622e63",
                                "0000",
                                "cafe")),
                Arguments.of(
                        new Frame.Open(
                                13, TargetProtocol.HTTPS, "h", 443, 0, new byte[0], new PrincipalTokens("", "t")),
                        hex("10 02 0000000d 0000000f", "02", "0001 68", "01bb", "00000000", "0000", "0001 74")),
                Arguments.of(
                        new Frame.ChannelOpen(2, TargetProtocol.TCP, "erp", 65536),
                        hex("17 00 00000002 0000000a", "03", "0003 657270", "00010000")),
                Arguments.of(
                        new Frame.ChannelOpen(0x7ffffffe, TargetProtocol.RFC, "s", 0),
                        hex("17 00 7ffffffe 00000008", "04", "0001 73", "00000000")),
                Arguments.of(new Frame.OpenOk(1, 262144), hex("11 00 00000001 00000004", "00040000")),
                Arguments.of(
                        new Frame.OpenFail(5, Reason.NO_MAPPING, "no"),
                        hex("12 00 00000005 00000005", "01", "0002 6e6f")),
                Arguments.of(
                        new Frame.OpenFail(0x7fffffff, Reason.TIMEOUT, "\u00e9"),
                        hex("12 00 7fffffff 00000005", "0c", "0002 c3a9")),
                Arguments.of(new Frame.Data(7, hex("010203")), hex("13 00 00000007 00000003", "010203")),
                Arguments.of(new Frame.Data(7, new byte[0]), hex("13 00 00000007 00000000")),
                Arguments.of(new Frame.WindowUpdate(9, 32768), hex("14 00 00000009 00000004", "00008000")),
                Arguments.of(new Frame.Fin(11), hex("15 00 0000000b 00000000")),
                Arguments.of(new Frame.Rst(13, Reason.BACKEND_RESET, ""), hex("16 00 0000000d 00000003", "05", "0000")),
                Arguments.of(new Frame.Ping(0x0102030405060708L), hex("20 00 00000000 00000008", "0102030405060708")),
                Arguments.of(new Frame.Pong(-1L), hex("21 00 00000000 00000008", "ffffffffffffffff")),
                Arguments.of(
                        new Frame.GoAway(Reason.SHUTDOWN, "bye"), hex("22 00 00000000 00000006", "0b", "0003 627965")),
                Arguments.of(
                        new Frame.Replicas(
                                "r1",
                                List.of(new Frame.Replica("r1", "wss://a/t"), new Frame.Replica("r2", "wss://b"))),
                        hex(
                                "23 00 00000000 00000022",
                                "0002 7231",
                                "0002",
                                "0002 7231 0009 7773733a2f2f612f74",
                                "0002 7232 0007 7773733a2f2f62")),
                Arguments.of(new Frame.Replicas("", List.of()), hex("23 00 00000000 00000004", "0000", "0000")));
    }

    @ParameterizedTest
    @MethodSource("wireExamples")
    void encodesToExactBytes(Frame frame, byte[] wire) {
        assertEquals(toHex(wire), toHex(FrameCodec.encode(frame)));
    }

    @ParameterizedTest
    @MethodSource("wireExamples")
    void decodesExactBytes(Frame frame, byte[] wire) throws ProtocolException {
        assertFrameEquals(frame, FrameCodec.decode(wire));
        assertFrameEquals(frame, FrameCodec.decode(ByteBuffer.wrap(wire)));
    }

    /** The two hex dumps printed in docs/tunnel-protocol.md section "Examples". */
    @Test
    void documentedExamples() throws ProtocolException {
        byte[] hello = hex(
                "01 00 00 00 00 00 00 00 00 17",
                "00 01",
                "00 0b 63 6f 6e 6e 65 63 74 6f 72 2d 37",
                "00 06 62 65 72 6c 69 6e");
        assertArrayEquals(hello, FrameCodec.encode(new Frame.Hello(1, "connector-7", "berlin")));

        HttpHead.Request request = new HttpHead.Request("GET", "/sap/opu/odata", List.of(Map.entry("Accept", "*/*")));
        byte[] head = hex(
                "00 03 47 45 54",
                "00 0e 2f 73 61 70 2f 6f 70 75 2f 6f 64 61 74 61",
                "00 01",
                "00 06 41 63 63 65 70 74",
                "00 03 2a 2f 2a");
        assertArrayEquals(head, HttpHead.encode(request));
        byte[] open = concat(
                hex(
                        "10 00 00 00 00 01 00 00 00 39",
                        "01",
                        "00 0c 65 72 70 2e 69 6e 74 65 72 6e 61 6c",
                        "1f 90",
                        "00 04 00 00"),
                head);
        Frame.Open frame = new Frame.Open(1, TargetProtocol.HTTP, "erp.internal", 8080, 262144, head);
        assertArrayEquals(open, FrameCodec.encode(frame));
        assertEquals(request, HttpHead.decodeRequest(((Frame.Open) FrameCodec.decode(open)).head()));
    }

    @Test
    void wireCodesAreStable() {
        assertEquals(
                List.of(0x01, 0x02, 0x10, 0x11, 0x12, 0x17, 0x13, 0x14, 0x15, 0x16, 0x20, 0x21, 0x22, 0x23),
                List.of(
                        FrameCodec.TYPE_HELLO,
                        FrameCodec.TYPE_HELLO_OK,
                        FrameCodec.TYPE_OPEN,
                        FrameCodec.TYPE_OPEN_OK,
                        FrameCodec.TYPE_OPEN_FAIL,
                        FrameCodec.TYPE_CHANNEL_OPEN,
                        FrameCodec.TYPE_DATA,
                        FrameCodec.TYPE_WINDOW_UPDATE,
                        FrameCodec.TYPE_FIN,
                        FrameCodec.TYPE_RST,
                        FrameCodec.TYPE_PING,
                        FrameCodec.TYPE_PONG,
                        FrameCodec.TYPE_GOAWAY,
                        FrameCodec.TYPE_REPLICAS));
        int code = 0;
        for (Reason reason : Reason.values()) {
            assertEquals(code++, reason.code(), reason.name());
            assertEquals(reason, Reason.of(reason.code()));
        }
        assertEquals(
                List.of(1, 2, 3, 4, 5),
                Arrays.stream(TargetProtocol.values()).map(TargetProtocol::code).toList());
        assertEquals(
                List.of(TargetProtocol.HTTP, TargetProtocol.HTTPS),
                Arrays.stream(TargetProtocol.values())
                        .filter(TargetProtocol::isHttp)
                        .toList());
    }

    @Test
    void dataFromASliceAndHeaderOnly() throws ProtocolException {
        byte[] source = hex("aabbccddee");
        byte[] wire = FrameCodec.data(3, source, 1, 3);
        assertArrayEquals(hex("13 00 00000003 00000003 bbccdd"), wire);
        assertArrayEquals(Arrays.copyOf(wire, FrameCodec.HEADER_LENGTH), FrameCodec.dataHeader(3, 3, false));
        assertFrameEquals(new Frame.Data(3, hex("bbccdd")), FrameCodec.decode(wire));
    }

    @Test
    void largestPayloadIsAccepted() throws ProtocolException {
        byte[] body = new byte[FrameCodec.MAX_PAYLOAD];
        body[body.length - 1] = 42;
        byte[] wire = FrameCodec.encode(new Frame.Data(1, body));
        assertEquals(FrameCodec.HEADER_LENGTH + FrameCodec.MAX_PAYLOAD, wire.length);
        assertArrayEquals(body, ((Frame.Data) FrameCodec.decode(wire)).payload());
    }

    @Test
    void longestStringsAreAccepted() throws ProtocolException {
        String id = "i".repeat(FrameCodec.MAX_ID_LENGTH);
        String message = "m".repeat(FrameCodec.MAX_MESSAGE_LENGTH);
        for (Frame frame : List.of(
                new Frame.Hello(1, id, id),
                new Frame.HelloOk(1, id, 1),
                new Frame.Open(1, TargetProtocol.TCP, id, 1, 0, new byte[0]),
                new Frame.ChannelOpen(2, TargetProtocol.TCP, id, 1),
                new Frame.OpenFail(1, Reason.INTERNAL, message),
                new Frame.Rst(1, Reason.INTERNAL, message),
                new Frame.GoAway(Reason.INTERNAL, message))) {
            assertFrameEquals(frame, FrameCodec.decode(FrameCodec.encode(frame)));
        }
    }

    // ---- replicas (version 4) -----------------------------------------------------------------

    @Test
    void replicasAtTheirLimitsRoundTrip() throws ProtocolException {
        List<Frame.Replica> replicas = new java.util.ArrayList<>();
        for (int i = 0; i < FrameCodec.MAX_REPLICAS; i++) {
            replicas.add(new Frame.Replica(
                    i + "i".repeat(FrameCodec.MAX_ID_LENGTH - String.valueOf(i).length()),
                    "u".repeat(FrameCodec.MAX_URL_LENGTH)));
        }
        Frame frame = new Frame.Replicas("s".repeat(FrameCodec.MAX_ID_LENGTH), replicas);
        assertFrameEquals(frame, FrameCodec.decode(FrameCodec.encode(frame)));
    }

    @Test
    void replicasThePeerWouldRejectAreNotEncoded() {
        List<Frame.Replica> tooMany = new java.util.ArrayList<>();
        for (int i = 0; i <= FrameCodec.MAX_REPLICAS; i++) {
            tooMany.add(new Frame.Replica("r" + i, "wss://r" + i));
        }
        for (Frame frame : List.of(
                new Frame.Replicas("a", tooMany),
                new Frame.Replicas("a", List.of(new Frame.Replica("", "wss://a"))),
                new Frame.Replicas("a", List.of(new Frame.Replica("a", ""))),
                new Frame.Replicas("a", List.of(new Frame.Replica("a", "wss://a"), new Frame.Replica("a", "wss://b"))),
                new Frame.Replicas("a", List.of(new Frame.Replica("a", "u".repeat(FrameCodec.MAX_URL_LENGTH + 1)))))) {
            assertThrows(IllegalArgumentException.class, () -> FrameCodec.encode(frame), frame.toString());
        }
    }

    @Test
    void malformedReplicasAreRejected() {
        assertRejected("lists 65 replicas, more than 64", hex("23 00 00000000 00000004", "0000", "0041"));
        assertRejected(
                "replica without an id or a URL", hex("23 00 00000000 00000009", "0000", "0001", "0000 0001 75"));
        assertRejected(
                "replica without an id or a URL", hex("23 00 00000000 00000009", "0000", "0001", "0001 61 0000"));
        assertRejected(
                "lists replica a twice",
                hex("23 00 00000000 00000010", "0000", "0002", "0001 61 0001 75", "0001 61 0001 76"));
        assertRejected("REPLICAS frame is truncated", hex("23 00 00000000 00000004", "0000", "0001"));
        assertRejected("must be on stream 0", hex("23 00 00000001 00000004", "0000", "0000"));
    }

    @Test
    void decodeReadsBigEndianFromTheRemainingBytesOfAnyBuffer() throws ProtocolException {
        byte[] wire = FrameCodec.encode(new Frame.WindowUpdate(0x01020304, 0x05060708));
        ByteBuffer buffer =
                ByteBuffer.wrap(concat(hex("ffff"), wire, hex("ee"))).order(ByteOrder.LITTLE_ENDIAN);
        buffer.position(2).limit(2 + wire.length);
        assertEquals(new Frame.WindowUpdate(0x01020304, 0x05060708), FrameCodec.decode(buffer));
        assertEquals(FrameCodec.TYPE_WINDOW_UPDATE, FrameCodec.checkHeader(buffer));
    }

    @Test
    void checkHeaderNeedsAWholeHeader() {
        ByteBuffer nine = ByteBuffer.wrap(new byte[9]);
        assertRejected("shorter than its header", () -> FrameCodec.checkHeader(nine));
    }

    // ---- header rules -----------------------------------------------------------------------

    static Stream<Frame> samples() {
        return WireBytes.samples().stream();
    }

    @ParameterizedTest
    @MethodSource("samples")
    void nonZeroFlagsAreRejected(Frame frame) throws ProtocolException {
        byte[] wire = FrameCodec.encode(frame);
        boolean data = frame instanceof Frame.Data;
        boolean open = frame instanceof Frame.Open;
        for (int flags : new int[] {0x01, 0x02, 0x03, 0x40, 0x80, 0xff}) {
            if (data && flags == FrameCodec.FLAG_BLOCKED) {
                // DATA's one flag: the frame decodes as it would without it.
                assertFrameEquals(frame, FrameCodec.decode(withFlags(wire, flags)));
                continue;
            }
            if (open && flags == FrameCodec.FLAG_PRINCIPALS) {
                // OPEN's one flag changes the layout (principalsFlagChangesTheOpenLayout).
                continue;
            }
            assertRejected(
                    (data
                                    ? "DATA flags must be 0 or 1 (BLOCKED), got "
                                    : open
                                            ? "OPEN flags must be 0 or 2 (PRINCIPALS), got "
                                            : "reserved flags must be 0, got ")
                            + flags,
                    withFlags(wire, flags));
        }
    }

    // ---- principal propagation (version 3) ---------------------------------------------------

    @Test
    void principalsFlagChangesTheOpenLayout() throws ProtocolException {
        Frame.Open plain = new Frame.Open(1, TargetProtocol.HTTP, "h", 80, 0, hex("00 01 41"));
        byte[] wire = FrameCodec.encode(plain);
        assertEquals(0, wire[1]);
        // The same bytes read with the flag: the head's first bytes become the tokens' lengths.
        assertRejected("OPEN frame is truncated", withFlags(wire, FrameCodec.FLAG_PRINCIPALS));
        byte[] tokens = concat(
                payload(wire).length == 0
                        ? new byte[0]
                        : java.util.Arrays.copyOf(payload(wire), payload(wire).length - 3),
                str("u.v.w"),
                str(""),
                hex("00 01 41"));
        Frame.Open decoded =
                (Frame.Open) FrameCodec.decode(withFlags(withPayload(wire, tokens), FrameCodec.FLAG_PRINCIPALS));
        assertEquals(new PrincipalTokens("u.v.w", ""), decoded.principals());
        assertArrayEquals(hex("00 01 41"), decoded.head());
        assertEquals(PrincipalTokens.NONE, ((Frame.Open) FrameCodec.decode(wire)).principals());
    }

    @Test
    void principalsFlagWithoutATokenIsRejected() {
        byte[] payload = concat(hex("03"), str("db"), hex("1538 00010000"), str(""), str(""));
        assertRejected(
                "OPEN frame has the PRINCIPALS flag but no token",
                withFlags(frame(FrameCodec.TYPE_OPEN, 1, payload), FrameCodec.FLAG_PRINCIPALS));
    }

    @Test
    void tokensMustBeVisibleAsciiWithinTheirLimit() {
        for (String bad : new String[] {"a b", "a\u0000b", "\u00e9", "a\nb", "\u007f"}) {
            byte[] payload = concat(hex("01"), str("h"), hex("0050 00000000"), str(bad), str(""));
            assertRejected(
                    "user token is not visible ASCII",
                    withFlags(frame(FrameCodec.TYPE_OPEN, 1, payload), FrameCodec.FLAG_PRINCIPALS));
            payload = concat(hex("01"), str("h"), hex("0050 00000000"), str("x"), str(bad));
            assertRejected(
                    "technical token is not visible ASCII",
                    withFlags(frame(FrameCodec.TYPE_OPEN, 1, payload), FrameCodec.FLAG_PRINCIPALS));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> FrameCodec.encode(new Frame.Open(
                            1, TargetProtocol.HTTP, "h", 80, 0, new byte[0], new PrincipalTokens(bad, ""))));
        }
        String longest = "t".repeat(FrameCodec.MAX_TOKEN_LENGTH);
        Frame.Open ok =
                new Frame.Open(1, TargetProtocol.HTTP, "h", 80, 0, new byte[0], new PrincipalTokens(longest, longest));
        assertDoesNotThrow(() -> FrameCodec.decode(FrameCodec.encode(ok)));
        assertThrows(
                IllegalArgumentException.class,
                () -> FrameCodec.encode(new Frame.Open(
                        1, TargetProtocol.HTTP, "h", 80, 0, new byte[0], new PrincipalTokens(longest + "t", ""))));
        byte[] payload = concat(hex("01"), str("h"), hex("0050 00000000"), str(longest + "t"), str(""));
        assertRejected(
                "user token: string of 16385 bytes exceeds 16384",
                withFlags(frame(FrameCodec.TYPE_OPEN, 1, payload), FrameCodec.FLAG_PRINCIPALS));
    }

    @Test
    void tokensNeverShowInToString() {
        String token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
        Frame.Open open =
                new Frame.Open(1, TargetProtocol.HTTP, "h", 80, 0, new byte[0], new PrincipalTokens(token, token));
        assertFalse(open.toString().contains("eyJ"), open.toString());
        assertTrue(open.toString().contains("user=(" + token.length() + " characters, redacted)"), open.toString());
        assertEquals("PrincipalTokens[user=none, technical=none]", PrincipalTokens.NONE.toString());
    }

    @Test
    void blockedFlagIsSetOnlyWhenAsked() {
        assertEquals(0, FrameCodec.dataHeader(7, 100, false)[1]);
        assertEquals(FrameCodec.FLAG_BLOCKED, FrameCodec.dataHeader(7, 100, true)[1]);
    }

    @ParameterizedTest
    @MethodSource("samples")
    void streamIdHighBitIsRejected(Frame frame) {
        byte[] wire = FrameCodec.encode(frame);
        int streamId = frame.streamId();
        assertRejected("reserved high bit", wire, withStreamId(wire, streamId | 0x80000000));
        assertRejected("reserved high bit", wire, withStreamId(wire, -1));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void streamIdMustMatchTheKindOfFrame(Frame frame) {
        byte[] wire = FrameCodec.encode(frame);
        String name = FrameCodec.typeName(wire[0]);
        if (frame.streamId() == 0) {
            assertRejected(name + " frame must be on stream 0, not 1", wire, withStreamId(wire, 1));
            assertRejected(
                    name + " frame must be on stream 0, not 2147483647", wire, withStreamId(wire, Integer.MAX_VALUE));
        } else {
            assertRejected(name + " frame must not be on stream 0", wire, withStreamId(wire, 0));
        }
    }

    @ParameterizedTest
    @MethodSource("samples")
    void lengthFieldMustMatchTheBytesThatFollow(Frame frame) {
        byte[] wire = FrameCodec.encode(frame);
        int length = wire.length - FrameCodec.HEADER_LENGTH;
        assertRejected(
                "payload length " + (length + 1) + " does not match the " + length + " bytes",
                wire,
                withLengthField(wire, length + 1));
        if (length > 0) {
            assertRejected(
                    "payload length " + (length - 1) + " does not match the " + length + " bytes",
                    wire,
                    withLengthField(wire, length - 1));
        }
        assertRejected("does not match", wire, concat(wire, hex("00")));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void truncationAtEveryByteIsRejected(Frame frame) {
        byte[] wire = FrameCodec.encode(frame);
        for (int cut = 0; cut < wire.length; cut++) {
            String expected = cut < FrameCodec.HEADER_LENGTH
                    ? "frame of " + cut + " bytes is shorter than its header"
                    : "does not match";
            assertRejected(expected, wire, Arrays.copyOf(wire, cut));
        }
    }

    /** The length field agrees with a cut payload: the payload's own fields must notice. */
    @ParameterizedTest
    @MethodSource("samples")
    void payloadTruncatedInsideAFieldIsRejected(Frame frame) throws ProtocolException {
        byte[] wire = FrameCodec.encode(frame);
        byte[] payload = payload(wire);
        // DATA and the head of OPEN run to the end of the payload; shortening them is still valid.
        int fixedPart = frame instanceof Frame.Data
                ? 0
                : frame instanceof Frame.Open open ? payload.length - open.head().length : payload.length;
        for (int cut = 0; cut < fixedPart; cut++) {
            assertRejected(
                    FrameCodec.typeName(wire[0]) + " frame is truncated",
                    wire,
                    withPayload(wire, Arrays.copyOf(payload, cut)));
        }
        for (int cut = fixedPart; cut < payload.length; cut++) {
            Frame shorter = FrameCodec.decode(withPayload(wire, Arrays.copyOf(payload, cut)));
            assertEquals(frame.streamId(), shorter.streamId());
        }
    }

    @ParameterizedTest
    @MethodSource("samples")
    void trailingBytesAreRejected(Frame frame) throws ProtocolException {
        byte[] wire = FrameCodec.encode(frame);
        byte[] longer = withPayload(wire, concat(payload(wire), hex("00")));
        if (frame instanceof Frame.Data || frame instanceof Frame.Open) {
            // The extra byte is simply more data / more head.
            FrameCodec.decode(longer);
        } else {
            assertRejected(FrameCodec.typeName(wire[0]) + " frame has 1 trailing bytes", wire, longer);
        }
    }

    @Test
    void payloadOverTheLimitIsRejectedEvenWhenPresent() {
        byte[] wire = frame(FrameCodec.TYPE_DATA, 1, new byte[FrameCodec.MAX_PAYLOAD + 1]);
        assertRejected("payload length 262145 exceeds the maximum of 262144", wire);
    }

    /** Rejected from the header alone, before anything of the declared size is allocated. */
    @ParameterizedTest
    @ValueSource(ints = {FrameCodec.MAX_PAYLOAD + 1, Integer.MAX_VALUE, 0x80000000, 0xffffffff})
    void hugeDeclaredLengthIsRejectedBeforeTheBody(int declared) {
        byte[] wire = withLengthField(frame(FrameCodec.TYPE_DATA, 1, hex("0102")), declared);
        assertRejected("payload length " + Integer.toUnsignedString(declared) + " exceeds the maximum", wire);
    }

    @Test
    void unknownFrameTypesAreRejected() {
        for (int type : new int[] {0x00, 0x03, 0x0f, 0x18, 0x1f, 0x24, 0x7f, 0x80, 0xff}) {
            for (int streamId : new int[] {0, 1}) {
                assertRejected("unknown frame type 0x" + Integer.toHexString(type), frame(type, streamId, new byte[0]));
            }
        }
    }

    @Test
    void typeByteDecidesTheLayout() throws ProtocolException {
        byte[] ping = FrameCodec.encode(new Frame.Ping(7));
        assertEquals(new Frame.Pong(7), FrameCodec.decode(withType(ping, FrameCodec.TYPE_PONG)));
        // Eight bytes 00 00 | 00 00 | 00 00 00 07 also spell version 0, session id "", 7 streams.
        assertEquals(new Frame.HelloOk(0, "", 7), FrameCodec.decode(withType(ping, FrameCodec.TYPE_HELLO_OK)));
        assertRejected("GOAWAY frame has 5 trailing bytes", ping, withType(ping, FrameCodec.TYPE_GOAWAY));
        assertRejected("DATA frame must not be on stream 0", ping, withType(ping, FrameCodec.TYPE_DATA));
    }

    // ---- payload rules ---------------------------------------------------------------------

    @Test
    void emptyHostIsRejected() {
        assertRejected(
                "OPEN frame has an empty host", frame(FrameCodec.TYPE_OPEN, 1, hex("03", "0000", "0016", "00010000")));
    }

    @Test
    void channelOpenOnAnOddStreamIdIsRejected() {
        // Odd ids are tunnel-service's; a connector-opened stream there could collide with one of them.
        assertRejected(
                "CHANNEL_OPEN frame must be on an even stream id, not 3",
                frame(FrameCodec.TYPE_CHANNEL_OPEN, 3, hex("03", "0001 73", "00010000")));
    }

    @Test
    void channelOpenWithoutServiceIdIsRejected() {
        assertRejected(
                "CHANNEL_OPEN frame has an empty service id",
                frame(FrameCodec.TYPE_CHANNEL_OPEN, 2, hex("03", "0000", "00010000")));
    }

    @Test
    void portZeroIsRejected() {
        assertRejected(
                "OPEN frame has port 0", frame(FrameCodec.TYPE_OPEN, 1, hex("03", "0001 68", "0000", "00010000")));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x80000000, 0xffffffff})
    void negativeWindowsAreRejected(int window) {
        assertRejected(
                "window must be between 0 and 2147483647, got " + Integer.toUnsignedString(window),
                frame(FrameCodec.TYPE_OPEN, 1, concat(hex("03", "0001 68", "0016"), u32(window))));
        assertRejected(
                "window must be between 0 and 2147483647, got " + Integer.toUnsignedString(window),
                frame(FrameCodec.TYPE_OPEN_OK, 1, u32(window)));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 0x80000000, 0xffffffff})
    void windowIncrementBelowOneIsRejected(int increment) {
        assertRejected(
                "window increment must be between 1 and 2147483647, got " + Integer.toUnsignedString(increment),
                frame(FrameCodec.TYPE_WINDOW_UPDATE, 1, u32(increment)));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 0x80000000, 0xffffffff})
    void maxStreamsBelowOneIsRejected(int maxStreams) {
        assertRejected(
                "max streams must be between 1",
                frame(FrameCodec.TYPE_HELLO_OK, 0, concat(hex("0001"), str("s"), u32(maxStreams))));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 6, 0x7f, 0xff})
    void unknownTargetProtocolIsRejected(int code) {
        assertRejected(
                "unknown target protocol " + code,
                frame(FrameCodec.TYPE_OPEN, 1, concat(new byte[] {(byte) code}, hex("0001 68", "0016", "00010000"))));
    }

    @ParameterizedTest
    @ValueSource(ints = {20, 0x80, 0xff})
    void unknownReasonCodesReadAsInternal(int code) throws ProtocolException {
        byte[] reasonAndMessage = concat(new byte[] {(byte) code}, str("later"));
        assertEquals(
                new Frame.OpenFail(1, Reason.INTERNAL, "later"),
                FrameCodec.decode(frame(FrameCodec.TYPE_OPEN_FAIL, 1, reasonAndMessage)));
        assertEquals(
                new Frame.Rst(1, Reason.INTERNAL, "later"),
                FrameCodec.decode(frame(FrameCodec.TYPE_RST, 1, reasonAndMessage)));
        assertEquals(
                new Frame.GoAway(Reason.INTERNAL, "later"),
                FrameCodec.decode(frame(FrameCodec.TYPE_GOAWAY, 0, reasonAndMessage)));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "c328", // 2-byte lead followed by ASCII
                "c0af", // overlong '/'
                "e080af", // overlong '/' in 3 bytes
                "eda080", // UTF-16 surrogate U+D800 encoded in UTF-8
                "f4908080", // above U+10FFFF
                "f8888080", // 5-byte form
                "ff", // never valid
                "80", // lone continuation byte
                "61e282", // multi-byte sequence cut by the end of the string
            })
    void invalidUtf8IsRejectedInEveryString(String bad) {
        byte[] string = lengthPrefixed(hex(bad));
        assertRejected(
                "string is not valid UTF-8", frame(FrameCodec.TYPE_HELLO, 0, concat(hex("0001"), string, str("loc"))));
        assertRejected(
                "string is not valid UTF-8", frame(FrameCodec.TYPE_HELLO, 0, concat(hex("0001"), str("c"), string)));
        assertRejected(
                "string is not valid UTF-8", frame(FrameCodec.TYPE_HELLO_OK, 0, concat(hex("0001"), string, u32(1))));
        assertRejected(
                "string is not valid UTF-8",
                frame(FrameCodec.TYPE_OPEN, 1, concat(hex("03"), string, hex("0016", "00000000"))));
        assertRejected("string is not valid UTF-8", frame(FrameCodec.TYPE_OPEN_FAIL, 1, concat(hex("01"), string)));
        assertRejected("string is not valid UTF-8", frame(FrameCodec.TYPE_RST, 1, concat(hex("01"), string)));
        assertRejected("string is not valid UTF-8", frame(FrameCodec.TYPE_GOAWAY, 0, concat(hex("01"), string)));
    }

    @Test
    void validMultiByteUtf8IsAccepted() throws ProtocolException {
        String text = "\u00e9\u20ac\ud83d\ude00\u0000\ufeff";
        byte[] wire = frame(
                FrameCodec.TYPE_GOAWAY,
                0,
                concat(hex("00"), lengthPrefixed(hex("c3a9", "e282ac", "f09f9880", "00", "efbbbf"))));
        assertEquals(new Frame.GoAway(Reason.INTERNAL, text), FrameCodec.decode(wire));
        assertArrayEquals(wire, FrameCodec.encode(new Frame.GoAway(Reason.INTERNAL, text)));
    }

    @Test
    void stringsOverTheirLimitAreRejected() {
        byte[] longId = lengthPrefixed(repeat('i', FrameCodec.MAX_ID_LENGTH + 1));
        assertRejected(
                "string of 256 bytes exceeds 255",
                frame(FrameCodec.TYPE_HELLO, 0, concat(hex("0001"), longId, str(""))));
        assertRejected(
                "string of 256 bytes exceeds 255",
                frame(FrameCodec.TYPE_HELLO_OK, 0, concat(hex("0001"), longId, u32(1))));
        assertRejected(
                "string of 256 bytes exceeds 255",
                frame(FrameCodec.TYPE_OPEN, 1, concat(hex("03"), longId, hex("0016", "00000000"))));
        byte[] longMessage = lengthPrefixed(repeat('m', FrameCodec.MAX_MESSAGE_LENGTH + 1));
        assertRejected(
                "string of 1025 bytes exceeds 1024", frame(FrameCodec.TYPE_RST, 1, concat(hex("01"), longMessage)));
        assertRejected(
                "string of 1025 bytes exceeds 1024",
                frame(FrameCodec.TYPE_OPEN_FAIL, 1, concat(hex("01"), longMessage)));
        assertRejected(
                "string of 1025 bytes exceeds 1024", frame(FrameCodec.TYPE_GOAWAY, 0, concat(hex("01"), longMessage)));
    }

    @Test
    void stringLengthBeyondThePayloadIsRejected() {
        assertRejected(
                "HELLO frame is truncated",
                frame(FrameCodec.TYPE_HELLO, 0, concat(hex("0001"), u16(200), hex("6162"))));
        assertRejected(
                "string of 65535 bytes exceeds 255",
                frame(FrameCodec.TYPE_HELLO, 0, concat(hex("0001"), u16(0xffff), hex("6162"))));
    }

    // ---- the encoder refuses what the decoder would reject ---------------------------------

    @Test
    void encoderRefusesFramesThePeerWouldReject() {
        byte[] none = new byte[0];
        List<Frame> invalid = List.of(
                new Frame.Open(0, TargetProtocol.TCP, "h", 1, 0, none),
                new Frame.Open(-1, TargetProtocol.TCP, "h", 1, 0, none),
                new Frame.Open(1, TargetProtocol.TCP, "", 1, 0, none),
                new Frame.Open(1, TargetProtocol.TCP, "h", 0, 0, none),
                new Frame.Open(1, TargetProtocol.TCP, "h", 65536, 0, none),
                new Frame.Open(1, TargetProtocol.TCP, "h", 1, -1, none),
                new Frame.Open(1, TargetProtocol.TCP, "h".repeat(256), 1, 0, none),
                new Frame.Open(1, TargetProtocol.HTTP, "h", 1, 0, new byte[FrameCodec.MAX_PAYLOAD]),
                new Frame.ChannelOpen(0, TargetProtocol.TCP, "s", 0),
                new Frame.ChannelOpen(1, TargetProtocol.TCP, "s", 0),
                new Frame.ChannelOpen(2, TargetProtocol.TCP, "", 0),
                new Frame.ChannelOpen(2, TargetProtocol.TCP, "s", -1),
                new Frame.ChannelOpen(2, TargetProtocol.TCP, "s".repeat(256), 0),
                new Frame.OpenOk(0, 1),
                new Frame.OpenOk(1, -1),
                new Frame.OpenFail(0, Reason.INTERNAL, ""),
                new Frame.Data(0, none),
                new Frame.Data(1, new byte[FrameCodec.MAX_PAYLOAD + 1]),
                new Frame.WindowUpdate(0, 1),
                new Frame.WindowUpdate(1, 0),
                new Frame.WindowUpdate(1, -5),
                new Frame.Fin(0),
                new Frame.Rst(0, Reason.INTERNAL, ""),
                new Frame.Rst(1, Reason.INTERNAL, "\ud800"),
                new Frame.Hello(-1, "c", "l"),
                new Frame.Hello(0x10000, "c", "l"),
                new Frame.Hello(1, "c".repeat(256), "l"),
                new Frame.HelloOk(1, "s", 0),
                new Frame.HelloOk(1, "s", -1));
        for (Frame frame : invalid) {
            assertThrows(IllegalArgumentException.class, () -> FrameCodec.encode(frame), frame::toString);
        }
        assertThrows(IllegalArgumentException.class, () -> FrameCodec.data(0, none, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> FrameCodec.data(1, none, 0, -1));
        assertThrows(
                IllegalArgumentException.class, () -> FrameCodec.data(1, new byte[1], 0, FrameCodec.MAX_PAYLOAD + 1));
        assertThrows(IllegalArgumentException.class, () -> FrameCodec.dataHeader(0, 1, false));
        assertThrows(IllegalArgumentException.class, () -> FrameCodec.dataHeader(1, FrameCodec.MAX_PAYLOAD + 1, true));
    }

    @Test
    void longReasonMessagesAreCutAtACharacterBoundary() throws ProtocolException {
        Frame.OpenFail fail = (Frame.OpenFail) FrameCodec.decode(
                FrameCodec.encode(new Frame.OpenFail(1, Reason.BACKEND_UNREACHABLE, "m".repeat(1025))));
        assertEquals("m".repeat(1024), fail.message());
        Frame.GoAway away = (Frame.GoAway)
                FrameCodec.decode(FrameCodec.encode(new Frame.GoAway(Reason.INTERNAL, "\u00e9".repeat(513))));
        assertEquals("\u00e9".repeat(512), away.message());
    }

    // ---- helpers ---------------------------------------------------------------------------

    /** Asserts that {@code bad} is rejected with a message containing {@code fragment}; {@code good} is not. */
    private static void assertRejected(String fragment, byte[] good, byte[] bad) {
        try {
            FrameCodec.decode(good);
        } catch (ProtocolException e) {
            throw new AssertionError("the unmodified frame " + toHex(good) + " should decode", e);
        }
        assertRejected(fragment, bad);
    }

    static void assertRejected(String fragment, byte[] bad) {
        assertRejected(fragment, () -> FrameCodec.decode(bad));
    }

    interface Decoding {
        Object run() throws ProtocolException;
    }

    static void assertRejected(String fragment, Decoding decoding) {
        ProtocolException e = assertThrows(ProtocolException.class, decoding::run);
        assertTrue(
                e.getMessage().contains(fragment),
                () -> "expected a message containing \"" + fragment + "\" but got \"" + e.getMessage() + "\"");
    }
}

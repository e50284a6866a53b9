package io.connectivityproxy.protocol;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Encodes and decodes tunnel frames (docs/tunnel-protocol.md). Pure: no I/O, no state.
 *
 * <p>Every frame is a 10-byte header — type (u8), flags (u8, 0), stream id (u32, high bit 0),
 * payload length (u32) — followed by the payload. A transport message (one WebSocket binary
 * message, one event bus message) carries exactly one frame.
 */
public final class FrameCodec {

    /** The newest protocol version this code speaks. */
    public static final int VERSION = 4;
    /** The oldest protocol version this code still speaks (no service channels). */
    public static final int MIN_VERSION = 1;
    /** The first version with connector-opened streams (CHANNEL_OPEN). */
    public static final int SERVICE_CHANNELS_VERSION = 2;
    /** The first version whose OPEN may carry the tokens of a user to propagate (flag PRINCIPALS). */
    public static final int PRINCIPAL_PROPAGATION_VERSION = 3;
    /** The first version in which tunnel-service announces its replicas (REPLICAS). */
    public static final int REPLICAS_VERSION = 4;

    public static final int HEADER_LENGTH = 10;
    /** Largest payload a peer may send or must accept. */
    public static final int MAX_PAYLOAD = 256 * 1024;
    /** Largest window (and window increment) a peer may grant: 2^31 - 1 as in HTTP/2. */
    public static final int MAX_WINDOW = Integer.MAX_VALUE;

    static final int MAX_ID_LENGTH = 255;
    static final int MAX_MESSAGE_LENGTH = 1024;
    /** Longest token an OPEN carries, bytes (as proxy authorization's and SAP's SOCKS5 method 0x80). */
    public static final int MAX_TOKEN_LENGTH = 16 * 1024;
    /** Most replicas one REPLICAS frame lists. */
    public static final int MAX_REPLICAS = 64;
    /** Longest replica URL in a REPLICAS frame, bytes. */
    public static final int MAX_URL_LENGTH = 1024;

    /**
     * DATA flag: the sender has more to send but this frame used up its credit. A receiver may
     * take it as a sign that its window, not the data, limits the stream (see ReceiveCredit).
     */
    public static final int FLAG_BLOCKED = 0x01;
    /**
     * OPEN flag, version 3: a user token and a technical-user token (str each, at least one not
     * empty) follow the window, before the head.
     */
    public static final int FLAG_PRINCIPALS = 0x02;

    public static final int TYPE_HELLO = 0x01;
    public static final int TYPE_HELLO_OK = 0x02;
    public static final int TYPE_OPEN = 0x10;
    public static final int TYPE_OPEN_OK = 0x11;
    public static final int TYPE_OPEN_FAIL = 0x12;
    /** Version 2 and later. */
    public static final int TYPE_CHANNEL_OPEN = 0x17;

    public static final int TYPE_DATA = 0x13;
    public static final int TYPE_WINDOW_UPDATE = 0x14;
    public static final int TYPE_FIN = 0x15;
    public static final int TYPE_RST = 0x16;
    public static final int TYPE_PING = 0x20;
    public static final int TYPE_PONG = 0x21;
    public static final int TYPE_GOAWAY = 0x22;
    /** Version 4: tunnel-service announces its replicas (section 15). */
    public static final int TYPE_REPLICAS = 0x23;

    private FrameCodec() {}

    // ---- encoding -------------------------------------------------------------------------

    /**
     * The frame as one array, ready for a transport message. A frame the decoder would reject
     * (stream frame on stream 0, empty host, port 0, negative window, increment or max streams
     * below 1, string too long) is an {@link IllegalArgumentException} here rather than a
     * protocol error that closes the whole session at the peer.
     */
    public static byte[] encode(Frame frame) {
        if (frame instanceof Frame.Data f) {
            return data(f.streamId(), f.payload(), 0, f.payload().length);
        } else if (frame instanceof Frame.Hello f) {
            return body(
                    TYPE_HELLO,
                    0,
                    new Writer()
                            .u16(f.version())
                            .string(f.connectorId(), MAX_ID_LENGTH)
                            .string(f.locationId(), MAX_ID_LENGTH));
        } else if (frame instanceof Frame.HelloOk f) {
            requirePositive("max streams", f.maxStreams());
            return body(
                    TYPE_HELLO_OK,
                    0,
                    new Writer()
                            .u16(f.version())
                            .string(f.sessionId(), MAX_ID_LENGTH)
                            .u32(f.maxStreams()));
        } else if (frame instanceof Frame.Open f) {
            requireStreamId(f.streamId());
            if (f.host().isEmpty()) {
                throw new IllegalArgumentException("OPEN needs a host");
            }
            if (f.port() == 0) {
                throw new IllegalArgumentException("OPEN needs a port other than 0");
            }
            requireWindow(f.window());
            Writer payload = new Writer()
                    .u8(f.protocol().code())
                    .string(f.host(), MAX_ID_LENGTH)
                    .u16(f.port())
                    .u32(f.window());
            if (!f.principals().present()) {
                return body(TYPE_OPEN, f.streamId(), payload.bytes(f.head()));
            }
            requireToken(f.principals().user());
            requireToken(f.principals().technical());
            byte[] out = body(
                    TYPE_OPEN,
                    f.streamId(),
                    payload.string(f.principals().user(), MAX_TOKEN_LENGTH)
                            .string(f.principals().technical(), MAX_TOKEN_LENGTH)
                            .bytes(f.head()));
            out[1] = FLAG_PRINCIPALS;
            return out;
        } else if (frame instanceof Frame.ChannelOpen f) {
            requireStreamId(f.streamId());
            if (f.streamId() % 2 != 0) {
                throw new IllegalArgumentException("CHANNEL_OPEN needs an even stream id, not " + f.streamId());
            }
            if (f.serviceId().isEmpty()) {
                throw new IllegalArgumentException("CHANNEL_OPEN needs a service id");
            }
            requireWindow(f.window());
            return body(
                    TYPE_CHANNEL_OPEN,
                    f.streamId(),
                    new Writer()
                            .u8(f.protocol().code())
                            .string(f.serviceId(), MAX_ID_LENGTH)
                            .u32(f.window()));
        } else if (frame instanceof Frame.OpenOk f) {
            requireStreamId(f.streamId());
            requireWindow(f.window());
            return body(TYPE_OPEN_OK, f.streamId(), new Writer().u32(f.window()));
        } else if (frame instanceof Frame.OpenFail f) {
            requireStreamId(f.streamId());
            return body(
                    TYPE_OPEN_FAIL,
                    f.streamId(),
                    new Writer()
                            .u8(f.reason().code())
                            .string(truncate(f.message(), MAX_MESSAGE_LENGTH), MAX_MESSAGE_LENGTH));
        } else if (frame instanceof Frame.WindowUpdate f) {
            requireStreamId(f.streamId());
            requirePositive("window increment", f.increment());
            return body(TYPE_WINDOW_UPDATE, f.streamId(), new Writer().u32(f.increment()));
        } else if (frame instanceof Frame.Fin f) {
            requireStreamId(f.streamId());
            return body(TYPE_FIN, f.streamId(), new Writer());
        } else if (frame instanceof Frame.Rst f) {
            requireStreamId(f.streamId());
            return body(
                    TYPE_RST,
                    f.streamId(),
                    new Writer()
                            .u8(f.reason().code())
                            .string(truncate(f.message(), MAX_MESSAGE_LENGTH), MAX_MESSAGE_LENGTH));
        } else if (frame instanceof Frame.Ping f) {
            return body(TYPE_PING, 0, new Writer().u64(f.opaque()));
        } else if (frame instanceof Frame.Pong f) {
            return body(TYPE_PONG, 0, new Writer().u64(f.opaque()));
        } else if (frame instanceof Frame.Replicas f) {
            if (f.replicas().size() > MAX_REPLICAS) {
                throw new IllegalArgumentException(
                        "REPLICAS lists " + f.replicas().size() + " replicas, more than " + MAX_REPLICAS);
            }
            Writer payload = new Writer()
                    .string(f.self(), MAX_ID_LENGTH)
                    .u16(f.replicas().size());
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (Frame.Replica replica : f.replicas()) {
                if (replica.id().isEmpty() || replica.url().isEmpty()) {
                    throw new IllegalArgumentException("a replica needs an id and a URL");
                }
                if (!ids.add(replica.id())) {
                    throw new IllegalArgumentException("replica " + replica.id() + " is listed twice");
                }
                payload.string(replica.id(), MAX_ID_LENGTH).string(replica.url(), MAX_URL_LENGTH);
            }
            return body(TYPE_REPLICAS, 0, payload);
        } else if (frame instanceof Frame.GoAway f) {
            return body(
                    TYPE_GOAWAY,
                    0,
                    new Writer()
                            .u8(f.reason().code())
                            .string(truncate(f.message(), MAX_MESSAGE_LENGTH), MAX_MESSAGE_LENGTH));
        }
        throw new IllegalArgumentException("unknown frame " + frame);
    }

    /** A DATA frame for {@code length} bytes of {@code payload} from {@code offset}. */
    public static byte[] data(int streamId, byte[] payload, int offset, int length) {
        requireStreamId(streamId);
        // Checked before the allocation below, which it bounds.
        if (length < 0 || length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload of " + length + " bytes is not between 0 and " + MAX_PAYLOAD);
        }
        byte[] out = new byte[HEADER_LENGTH + length];
        writeHeader(out, TYPE_DATA, streamId, length);
        System.arraycopy(payload, offset, out, HEADER_LENGTH, length);
        return out;
    }

    /**
     * The header of a DATA frame, for transports that can send header and payload without a copy;
     * with {@link #FLAG_BLOCKED} set when {@code blocked}.
     */
    public static byte[] dataHeader(int streamId, int length, boolean blocked) {
        requireStreamId(streamId);
        if (length < 0) {
            throw new IllegalArgumentException("negative payload length " + length);
        }
        byte[] out = new byte[HEADER_LENGTH];
        writeHeader(out, TYPE_DATA, streamId, length);
        if (blocked) {
            out[1] = FLAG_BLOCKED;
        }
        return out;
    }

    private static byte[] body(int type, int streamId, Writer payload) {
        byte[] out = new byte[HEADER_LENGTH + payload.length()];
        writeHeader(out, type, streamId, payload.length());
        payload.copyTo(out, HEADER_LENGTH);
        return out;
    }

    private static void requireStreamId(int streamId) {
        if (streamId <= 0) {
            throw new IllegalArgumentException(
                    "stream frames need a stream id between 1 and 2^31 - 1, not " + streamId);
        }
    }

    private static void requireWindow(int window) {
        if (window < 0) {
            throw new IllegalArgumentException("window must be between 0 and " + MAX_WINDOW + ": " + window);
        }
    }

    private static void requireToken(String token) {
        if (!tokenText(token)) {
            throw new IllegalArgumentException("a propagated token must be visible ASCII (a JWT)");
        }
    }

    /** A token is visible ASCII (a JWT's base64url parts and dots), or empty for none. */
    private static boolean tokenText(String token) {
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static void requirePositive(String what, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " must be between 1 and " + MAX_WINDOW + ": " + value);
        }
    }

    private static void writeHeader(byte[] out, int type, int streamId, int length) {
        if (streamId < 0) {
            throw new IllegalArgumentException("stream id out of range: " + streamId);
        }
        if (length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload of " + length + " bytes exceeds " + MAX_PAYLOAD);
        }
        out[0] = (byte) type;
        out[1] = 0;
        putInt(out, 2, streamId);
        putInt(out, 6, length);
    }

    // ---- header check (relays forward DATA without decoding it: FrameBuffers) ----------------

    /**
     * Checks an encoded frame's header against the rules {@link #decode} applies to every frame
     * and returns its type. For DATA that is the whole check: relays and receivers can then use
     * the payload (bytes {@code HEADER_LENGTH} to the end) without decoding or copying it.
     */
    public static int checkHeader(ByteBuffer frame) throws ProtocolException {
        requireHeader(frame);
        int at = frame.position();
        // duplicate() reads big-endian whatever byte order the caller's buffer has, like decode().
        ByteBuffer in = frame.duplicate();
        return checkHeader(
                in.get(at) & 0xff,
                in.get(at + 1) & 0xff,
                in.getInt(at + 2),
                in.getInt(at + 6),
                frame.remaining() - HEADER_LENGTH);
    }

    /**
     * The same check for a header already read field by field (for transports with their own
     * buffer type): {@code following} is the number of bytes after the header.
     */
    public static int checkHeader(int type, int flags, int streamId, int length, int following)
            throws ProtocolException {
        if (flags != 0
                && !(type == TYPE_DATA && flags == FLAG_BLOCKED)
                && !(type == TYPE_OPEN && flags == FLAG_PRINCIPALS)) {
            throw new ProtocolException(
                    type == TYPE_DATA
                            ? "DATA flags must be 0 or 1 (BLOCKED), got " + flags
                            : type == TYPE_OPEN
                                    ? "OPEN flags must be 0 or 2 (PRINCIPALS), got " + flags
                                    : "reserved flags must be 0, got " + flags);
        }
        if (streamId < 0) {
            throw new ProtocolException("stream id has its reserved high bit set");
        }
        if (length < 0 || length > MAX_PAYLOAD) {
            throw new ProtocolException(
                    "payload length " + Integer.toUnsignedString(length) + " exceeds the maximum of " + MAX_PAYLOAD);
        }
        if (following != length) {
            throw new ProtocolException(
                    "payload length " + length + " does not match the " + following + " bytes that follow the header");
        }
        if (type == TYPE_DATA && streamId == 0) {
            throw new ProtocolException("DATA frame must not be on stream 0");
        }
        return type;
    }

    private static void requireHeader(ByteBuffer frame) throws ProtocolException {
        if (frame.remaining() < HEADER_LENGTH) {
            throw new ProtocolException("frame of " + frame.remaining() + " bytes is shorter than its header");
        }
    }

    // ---- decoding --------------------------------------------------------------------------

    /** Decodes exactly one frame that fills {@code message}. Never throws anything unchecked. */
    public static Frame decode(byte[] message) throws ProtocolException {
        return decode(ByteBuffer.wrap(message));
    }

    /** Decodes exactly one frame that fills the remaining bytes of {@code message}. */
    public static Frame decode(ByteBuffer message) throws ProtocolException {
        ByteBuffer in = message.slice();
        int type = checkHeader(in);
        int streamId = in.getInt(2);
        int flags = in.get(1) & 0xff;
        in.position(HEADER_LENGTH);
        try {
            Frame frame = decodePayload(type, flags, streamId, new Reader(in));
            if (in.hasRemaining()) {
                throw new ProtocolException(typeName(type) + " frame has " + in.remaining() + " trailing bytes");
            }
            return frame;
        } catch (BufferUnderflowException e) {
            throw new ProtocolException(typeName(type) + " frame is truncated");
        }
    }

    private static Frame decodePayload(int type, int flags, int streamId, Reader in) throws ProtocolException {
        switch (type) {
            case TYPE_HELLO -> {
                requireSession(type, streamId);
                return new Frame.Hello(in.u16(), in.string(MAX_ID_LENGTH), in.string(MAX_ID_LENGTH));
            }
            case TYPE_HELLO_OK -> {
                requireSession(type, streamId);
                return new Frame.HelloOk(in.u16(), in.string(MAX_ID_LENGTH), in.positiveInt("max streams"));
            }
            case TYPE_OPEN -> {
                requireStream(type, streamId);
                TargetProtocol protocol = TargetProtocol.ofCode(in.u8());
                String host = in.string(MAX_ID_LENGTH);
                if (host.isEmpty()) {
                    throw new ProtocolException("OPEN frame has an empty host");
                }
                int port = in.u16();
                if (port == 0) {
                    throw new ProtocolException("OPEN frame has port 0");
                }
                int window = in.window("window");
                PrincipalTokens principals = PrincipalTokens.NONE;
                if (flags == FLAG_PRINCIPALS) {
                    principals = new PrincipalTokens(in.token("user token"), in.token("technical token"));
                    if (!principals.present()) {
                        throw new ProtocolException("OPEN frame has the PRINCIPALS flag but no token");
                    }
                }
                return new Frame.Open(streamId, protocol, host, port, window, in.rest(), principals);
            }
            case TYPE_CHANNEL_OPEN -> {
                requireStream(type, streamId);
                if (streamId % 2 != 0) {
                    throw new ProtocolException("CHANNEL_OPEN frame must be on an even stream id, not " + streamId);
                }
                TargetProtocol protocol = TargetProtocol.ofCode(in.u8());
                String serviceId = in.string(MAX_ID_LENGTH);
                if (serviceId.isEmpty()) {
                    throw new ProtocolException("CHANNEL_OPEN frame has an empty service id");
                }
                return new Frame.ChannelOpen(streamId, protocol, serviceId, in.window("window"));
            }
            case TYPE_OPEN_OK -> {
                requireStream(type, streamId);
                return new Frame.OpenOk(streamId, in.window("window"));
            }
            case TYPE_OPEN_FAIL -> {
                requireStream(type, streamId);
                return new Frame.OpenFail(streamId, Reason.of(in.u8()), in.string(MAX_MESSAGE_LENGTH));
            }
            case TYPE_DATA -> {
                requireStream(type, streamId);
                return new Frame.Data(streamId, in.rest());
            }
            case TYPE_WINDOW_UPDATE -> {
                requireStream(type, streamId);
                return new Frame.WindowUpdate(streamId, in.positiveInt("window increment"));
            }
            case TYPE_FIN -> {
                requireStream(type, streamId);
                return new Frame.Fin(streamId);
            }
            case TYPE_RST -> {
                requireStream(type, streamId);
                return new Frame.Rst(streamId, Reason.of(in.u8()), in.string(MAX_MESSAGE_LENGTH));
            }
            case TYPE_PING -> {
                requireSession(type, streamId);
                return new Frame.Ping(in.u64());
            }
            case TYPE_PONG -> {
                requireSession(type, streamId);
                return new Frame.Pong(in.u64());
            }
            case TYPE_GOAWAY -> {
                requireSession(type, streamId);
                return new Frame.GoAway(Reason.of(in.u8()), in.string(MAX_MESSAGE_LENGTH));
            }
            case TYPE_REPLICAS -> {
                requireSession(type, streamId);
                String self = in.string(MAX_ID_LENGTH);
                int count = in.u16();
                if (count > MAX_REPLICAS) {
                    throw new ProtocolException(
                            "REPLICAS frame lists " + count + " replicas, more than " + MAX_REPLICAS);
                }
                java.util.List<Frame.Replica> replicas = new java.util.ArrayList<>(count);
                java.util.Set<String> ids = new java.util.HashSet<>();
                for (int i = 0; i < count; i++) {
                    String id = in.string(MAX_ID_LENGTH);
                    String url = in.string(MAX_URL_LENGTH);
                    if (id.isEmpty() || url.isEmpty()) {
                        throw new ProtocolException("REPLICAS frame has a replica without an id or a URL");
                    }
                    if (!ids.add(id)) {
                        throw new ProtocolException("REPLICAS frame lists replica " + id + " twice");
                    }
                    replicas.add(new Frame.Replica(id, url));
                }
                return new Frame.Replicas(self, replicas);
            }
            default -> throw new ProtocolException("unknown frame type 0x" + Integer.toHexString(type));
        }
    }

    private static void requireSession(int type, int streamId) throws ProtocolException {
        if (streamId != 0) {
            throw new ProtocolException(typeName(type) + " frame must be on stream 0, not " + streamId);
        }
    }

    private static void requireStream(int type, int streamId) throws ProtocolException {
        if (streamId == 0) {
            throw new ProtocolException(typeName(type) + " frame must not be on stream 0");
        }
    }

    /** A readable name for a frame type, for error messages and logs. */
    public static String typeName(int type) {
        return switch (type) {
            case TYPE_HELLO -> "HELLO";
            case TYPE_HELLO_OK -> "HELLO_OK";
            case TYPE_OPEN -> "OPEN";
            case TYPE_OPEN_OK -> "OPEN_OK";
            case TYPE_OPEN_FAIL -> "OPEN_FAIL";
            case TYPE_CHANNEL_OPEN -> "CHANNEL_OPEN";
            case TYPE_DATA -> "DATA";
            case TYPE_WINDOW_UPDATE -> "WINDOW_UPDATE";
            case TYPE_FIN -> "FIN";
            case TYPE_RST -> "RST";
            case TYPE_PING -> "PING";
            case TYPE_PONG -> "PONG";
            case TYPE_GOAWAY -> "GOAWAY";
            case TYPE_REPLICAS -> "REPLICAS";
            default -> "0x" + Integer.toHexString(type);
        };
    }

    /**
     * A reason message cut to at most {@code maxBytes} of UTF-8 at a character boundary: reasons
     * are for people, and a long one (an exception's text) must not turn into an encoding error.
     */
    static String truncate(String message, int maxBytes) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return message;
        }
        int end = maxBytes;
        while (end > 0 && (bytes[end] & 0xc0) == 0x80) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    static void putInt(byte[] out, int offset, int value) {
        out[offset] = (byte) (value >>> 24);
        out[offset + 1] = (byte) (value >>> 16);
        out[offset + 2] = (byte) (value >>> 8);
        out[offset + 3] = (byte) value;
    }

    /** Sequential big-endian reads with the protocol's bounds checks. */
    static final class Reader {
        private final ByteBuffer in;

        Reader(ByteBuffer in) {
            this.in = in;
        }

        int u8() {
            return in.get() & 0xff;
        }

        int u16() {
            return in.getShort() & 0xffff;
        }

        long u64() {
            return in.getLong();
        }

        int positiveInt(String what) throws ProtocolException {
            int value = in.getInt();
            if (value <= 0) {
                throw new ProtocolException(
                        what + " must be between 1 and " + MAX_WINDOW + ", got " + Integer.toUnsignedString(value));
            }
            return value;
        }

        int window(String what) throws ProtocolException {
            int value = in.getInt();
            if (value < 0) {
                throw new ProtocolException(
                        what + " must be between 0 and " + MAX_WINDOW + ", got " + Integer.toUnsignedString(value));
            }
            return value;
        }

        String string(int maxBytes) throws ProtocolException {
            int length = u16();
            if (length > maxBytes) {
                throw new ProtocolException("string of " + length + " bytes exceeds " + maxBytes);
            }
            if (length > in.remaining()) {
                throw new BufferUnderflowException();
            }
            ByteBuffer bytes = in.slice();
            bytes.limit(length);
            in.position(in.position() + length);
            try {
                return StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(bytes)
                        .toString();
            } catch (CharacterCodingException e) {
                throw new ProtocolException("string is not valid UTF-8");
            }
        }

        /** A propagated token: a string of visible ASCII, at most MAX_TOKEN_LENGTH bytes; may be empty. */
        String token(String what) throws ProtocolException {
            String token;
            try {
                token = string(MAX_TOKEN_LENGTH);
            } catch (ProtocolException e) {
                throw new ProtocolException(what + ": " + e.getMessage());
            }
            if (!tokenText(token)) {
                throw new ProtocolException(what + " is not visible ASCII");
            }
            return token;
        }

        byte[] rest() {
            byte[] out = new byte[in.remaining()];
            in.get(out);
            return out;
        }
    }

    /** Sequential big-endian writes into a growing array. */
    static final class Writer {
        private byte[] buf = new byte[32];
        private int length;

        int length() {
            return length;
        }

        void copyTo(byte[] out, int offset) {
            System.arraycopy(buf, 0, out, offset, length);
        }

        private void ensure(int more) {
            if (length + more > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, length + more));
            }
        }

        Writer u8(int value) {
            ensure(1);
            buf[length++] = (byte) value;
            return this;
        }

        Writer u16(int value) {
            if (value < 0 || value > 0xffff) {
                throw new IllegalArgumentException("value out of u16 range: " + value);
            }
            ensure(2);
            buf[length++] = (byte) (value >>> 8);
            buf[length++] = (byte) value;
            return this;
        }

        Writer u32(int value) {
            ensure(4);
            putInt(buf, length, value);
            length += 4;
            return this;
        }

        Writer u64(long value) {
            u32((int) (value >>> 32));
            return u32((int) value);
        }

        Writer string(String value, int maxBytes) {
            ByteBuffer bytes;
            try {
                bytes = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(value));
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("string is not encodable as UTF-8", e);
            }
            int n = bytes.remaining();
            if (n > maxBytes) {
                throw new IllegalArgumentException("string of " + n + " bytes exceeds " + maxBytes);
            }
            u16(n);
            ensure(n);
            bytes.get(buf, length, n);
            length += n;
            return this;
        }

        Writer bytes(byte[] value) {
            ensure(value.length);
            System.arraycopy(value, 0, buf, length, value.length);
            length += value.length;
            return this;
        }
    }
}

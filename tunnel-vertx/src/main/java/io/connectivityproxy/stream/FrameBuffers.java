package io.connectivityproxy.stream;

import io.connectivityproxy.protocol.FrameCodec;
import io.connectivityproxy.protocol.ProtocolException;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

/**
 * Encoded frames as Vert.x buffers, for the data path: checks a header, reads its stream id,
 * rewrites it and builds DATA frames without copying the payload. Everything else is decoded
 * with {@link FrameCodec} from a copy, which is fine for frames of a few bytes.
 */
public final class FrameBuffers {

    private FrameBuffers() {}

    /** Checks the header of the frame that fills {@code message} (as {@link FrameCodec#checkHeader}); returns its type. */
    public static int checkHeader(Buffer message) throws ProtocolException {
        if (message.length() < FrameCodec.HEADER_LENGTH) {
            throw new ProtocolException("frame of " + message.length() + " bytes is shorter than its header");
        }
        return FrameCodec.checkHeader(
                message.getUnsignedByte(0),
                message.getUnsignedByte(1),
                message.getInt(2),
                message.getInt(6),
                message.length() - FrameCodec.HEADER_LENGTH);
    }

    /** The stream id of a frame whose header was checked. */
    public static int streamId(Buffer frame) {
        return frame.getInt(2);
    }

    /** Rewrites the stream id in place (relays translate ids between hops). */
    public static void rewriteStreamId(Buffer frame, int streamId) {
        if (streamId <= 0) {
            throw new IllegalArgumentException("stream id out of range: " + streamId);
        }
        frame.setInt(2, streamId);
    }

    /** The payload of a checked DATA frame: a view of {@code frame}, not a copy. */
    public static Buffer payload(Buffer frame) {
        return frame.slice(FrameCodec.HEADER_LENGTH, frame.length());
    }

    /** True when a checked DATA frame carries {@link FrameCodec#FLAG_BLOCKED}. */
    public static boolean blocked(Buffer frame) {
        return frame.getUnsignedByte(1) == FrameCodec.FLAG_BLOCKED;
    }

    /**
     * A DATA frame of the first {@code length} bytes of {@code data}, flagged BLOCKED when the
     * sender has more and no credit left: a new header in front of a view of the bytes.
     */
    public static Buffer data(int streamId, Buffer data, int length, boolean blocked) {
        byte[] header = FrameCodec.dataHeader(streamId, length, blocked);
        return Buffer.buffer(Unpooled.wrappedBuffer(
                Unpooled.wrappedBuffer(header), data.slice(0, length).getByteBuf()));
    }
}

package io.connectivityproxy.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.connectivityproxy.protocol.Frame;
import io.connectivityproxy.protocol.FrameCodec;
import io.connectivityproxy.protocol.ProtocolException;
import io.connectivityproxy.protocol.Reason;
import io.vertx.core.buffer.Buffer;

/** The data path's view of encoded frames agrees with the codec, byte for byte and rule for rule. */
class FrameBuffersTest {

    @Test
    void dataFrameIsTheCodecsEncodingWithOrWithoutBlocked() throws ProtocolException {
        Buffer payload = Buffer.buffer(new byte[] {9, 1, 2, 3, 9}).slice(1, 4);
        byte[] expected = FrameCodec.encode(new Frame.Data(7, new byte[] {1, 2, 3}));
        assertArrayEquals(expected, FrameBuffers.data(7, payload, 3, false).getBytes());

        Buffer blocked = FrameBuffers.data(7, payload, 3, true);
        assertEquals(FrameCodec.FLAG_BLOCKED, blocked.getByte(1));
        assertTrue(FrameBuffers.blocked(blocked));
        assertFalse(FrameBuffers.blocked(FrameBuffers.data(7, payload, 2, false)));
        assertEquals(FrameCodec.TYPE_DATA, FrameBuffers.checkHeader(blocked));
        assertArrayEquals(
                new byte[] {1, 2}, FrameBuffers.data(7, payload, 2, false).getBytes(10, 12));
    }

    @Test
    void payloadIsAViewNotACopy() throws ProtocolException {
        Buffer frame = Buffer.buffer(FrameCodec.encode(new Frame.Data(3, new byte[] {1, 2, 3})));
        Buffer payload = FrameBuffers.payload(frame);
        frame.setByte(FrameCodec.HEADER_LENGTH, (byte) 42);
        assertArrayEquals(new byte[] {42, 2, 3}, payload.getBytes());
    }

    @Test
    void rewriteStreamIdChangesOnlyTheStreamId() throws ProtocolException {
        Buffer frame = Buffer.buffer(FrameCodec.encode(new Frame.Rst(5, Reason.CANCELLED, "x")));
        FrameBuffers.rewriteStreamId(frame, 0x7ffffffe);
        assertEquals(0x7ffffffe, FrameBuffers.streamId(frame));
        assertEquals(new Frame.Rst(0x7ffffffe, Reason.CANCELLED, "x"), FrameCodec.decode(frame.getBytes()));
        assertThrows(IllegalArgumentException.class, () -> FrameBuffers.rewriteStreamId(frame, 0));
        assertThrows(IllegalArgumentException.class, () -> FrameBuffers.rewriteStreamId(frame, -1));
    }

    /**
     * Random headers and lengths, mostly near the valid ones: checkHeader on a Buffer accepts
     * and rejects exactly what the codec's check on a ByteBuffer does, with the same message.
     */
    @Test
    void checkHeaderAgreesWithTheCodecOnRandomInput() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        int[] types = {FrameCodec.TYPE_DATA, FrameCodec.TYPE_OPEN, FrameCodec.TYPE_PING, 0x00, 0x7f, 0xff};
        for (int i = 0; i < 20_000; i++) {
            int following = random.nextInt(40);
            byte[] bytes = new byte
                    [random.nextInt(8) == 0
                            ? random.nextInt(FrameCodec.HEADER_LENGTH)
                            : FrameCodec.HEADER_LENGTH + following];
            random.nextBytes(bytes);
            if (bytes.length >= FrameCodec.HEADER_LENGTH) {
                bytes[0] = (byte) types[random.nextInt(types.length)];
                bytes[1] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : random.nextInt(2));
                if (random.nextBoolean()) {
                    ByteBuffer.wrap(bytes).putInt(2, random.nextInt(3));
                }
                if (random.nextInt(4) != 0) {
                    ByteBuffer.wrap(bytes).putInt(6, following + random.nextInt(3) - 1);
                }
            }
            String where = "seed " + seed + ", input " + i;
            String expected = outcome(() -> FrameCodec.checkHeader(ByteBuffer.wrap(bytes)));
            assertEquals(expected, outcome(() -> FrameBuffers.checkHeader(Buffer.buffer(bytes))), where);
        }
    }

    private interface Check {
        int run() throws ProtocolException;
    }

    private static String outcome(Check check) {
        try {
            return "type " + check.run();
        } catch (ProtocolException e) {
            return "rejected: " + e.getMessage();
        }
    }
}

package io.connectivityproxy.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/** The frame codec: Vert.x's Buffer wire format, decoded as a view of the received message. */
class FrameMessageCodecTest {

    private final FrameMessageCodec codec = new FrameMessageCodec();

    @Test
    void wireFormatIsLengthThenBytesAndDecodesAtItsPosition() {
        Buffer wire = Buffer.buffer("headers");
        codec.encodeToWire(wire, Buffer.buffer(new byte[] {1, 2, 3}));
        assertEquals(7 + 4 + 3, wire.length());
        assertEquals(3, wire.getInt(7));
        Buffer frame = codec.decodeFromWire(7, wire);
        assertArrayEquals(new byte[] {1, 2, 3}, frame.getBytes());

        // A view: the relay rewrites stream ids in place without a copy of the message.
        wire.setByte(11, (byte) 9);
        assertEquals(9, frame.getByte(0));
    }

    @Test
    void deliveryInsideTheProcessGetsACopy() {
        Buffer frame = Buffer.buffer(new byte[] {1, 2, 3});
        Buffer delivered = codec.transform(frame);
        frame.setByte(0, (byte) 9);
        assertEquals(1, delivered.getByte(0));
    }

    @Test
    void registeringTwiceIsHarmless() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            FrameMessageCodec.register(vertx.eventBus());
            FrameMessageCodec.register(vertx.eventBus());
            vertx.eventBus().consumer("a", message -> message.reply(message.body()));
            Buffer reply = vertx.eventBus()
                    .<Buffer>request(
                            "a",
                            Buffer.buffer("x"),
                            new io.vertx.core.eventbus.DeliveryOptions().setCodecName(FrameMessageCodec.NAME))
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get()
                    .body();
            assertEquals("x", reply.toString());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }
}

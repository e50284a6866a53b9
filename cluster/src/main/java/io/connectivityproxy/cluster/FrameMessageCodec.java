package io.connectivityproxy.cluster;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;

/**
 * The event bus codec for tunnel frames between proxy-service and tunnel-service. The wire
 * format is the one of Vert.x's own Buffer codec (length, then the bytes); the difference is on
 * the receiving side, which hands on a view of the received message instead of copying the
 * frame twice. Every node of the cluster registers it ({@link #register}); senders name it in
 * their {@link io.vertx.core.eventbus.DeliveryOptions}.
 */
public final class FrameMessageCodec implements MessageCodec<Buffer, Buffer> {

    public static final String NAME = "connectivity-proxy-frame";

    /** Registers the codec with this node's event bus; a second call for the same bus does nothing. */
    public static synchronized void register(EventBus bus) {
        try {
            bus.registerCodec(new FrameMessageCodec());
        } catch (IllegalStateException alreadyRegistered) {
            // Vert.x refuses a second codec of the same name; the first one serves.
        }
    }

    @Override
    public void encodeToWire(Buffer wire, Buffer frame) {
        wire.appendInt(frame.length());
        wire.appendBuffer(frame);
    }

    @Override
    public Buffer decodeFromWire(int position, Buffer wire) {
        int length = wire.getInt(position);
        // The received message is this frame's alone: a view is safe and saves the copies.
        return wire.slice(position + 4, position + 4 + length);
    }

    @Override
    public Buffer transform(Buffer frame) {
        // Delivery inside one process: the receiver gets its own copy, as with Vert.x's codec.
        return frame.copy();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte systemCodecID() {
        return -1;
    }
}

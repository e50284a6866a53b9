package io.connectivityproxy.stream;

import io.vertx.core.buffer.Buffer;

/** Where a multiplexer's encoded frames go: a WebSocket session, or an event bus address. */
@FunctionalInterface
public interface FrameSink {

    /** Sends one encoded frame. May be called from any thread; must keep the order of calls per thread. */
    void send(Buffer frame);
}

package io.connectivityproxy.connector;

import io.connectivityproxy.stream.TunnelStream;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/** Counts the bytes a backend sends into a tunnel stream, for the bytes metric. */
final class CountingStream implements WriteStream<Buffer> {

    private final TunnelStream stream;
    private final ConnectorMetrics metrics;

    CountingStream(TunnelStream stream, ConnectorMetrics metrics) {
        this.stream = stream;
        this.metrics = metrics;
    }

    @Override
    public Future<Void> write(Buffer data) {
        metrics.bytesToCloud(data.length());
        return stream.write(data);
    }

    @Override
    public void write(Buffer data, Handler<AsyncResult<Void>> handler) {
        metrics.bytesToCloud(data.length());
        stream.write(data, handler);
    }

    @Override
    public Future<Void> end() {
        return stream.end();
    }

    @Override
    public void end(Handler<AsyncResult<Void>> handler) {
        stream.end(handler);
    }

    /** Left to the stream's own reader: a reset ends the exchange through the stream's close handler. */
    @Override
    public CountingStream exceptionHandler(Handler<Throwable> handler) {
        return this;
    }

    @Override
    public CountingStream setWriteQueueMaxSize(int maxSize) {
        stream.setWriteQueueMaxSize(maxSize);
        return this;
    }

    @Override
    public boolean writeQueueFull() {
        return stream.writeQueueFull();
    }

    @Override
    public CountingStream drainHandler(Handler<Void> handler) {
        stream.drainHandler(handler);
        return this;
    }
}

package io.connectivityproxy.stream;

import java.util.function.LongConsumer;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * A write stream that reports each buffer's size (for byte metrics) and otherwise delegates,
 * back-pressure included. It does not take over the delegate's exception handler: whoever reads
 * the delegate keeps it, and a reset ends the exchange through the delegate's own handlers.
 */
public final class CountingWriteStream implements WriteStream<Buffer> {

    private final WriteStream<Buffer> delegate;
    private final LongConsumer counter;

    public CountingWriteStream(WriteStream<Buffer> delegate, LongConsumer counter) {
        this.delegate = delegate;
        this.counter = counter;
    }

    @Override
    public Future<Void> write(Buffer data) {
        counter.accept(data.length());
        return delegate.write(data);
    }

    @Override
    public void write(Buffer data, Handler<AsyncResult<Void>> handler) {
        counter.accept(data.length());
        delegate.write(data, handler);
    }

    @Override
    public Future<Void> end() {
        return delegate.end();
    }

    @Override
    public void end(Handler<AsyncResult<Void>> handler) {
        delegate.end(handler);
    }

    @Override
    public CountingWriteStream exceptionHandler(Handler<Throwable> handler) {
        return this;
    }

    @Override
    public CountingWriteStream setWriteQueueMaxSize(int maxSize) {
        delegate.setWriteQueueMaxSize(maxSize);
        return this;
    }

    @Override
    public boolean writeQueueFull() {
        return delegate.writeQueueFull();
    }

    @Override
    public CountingWriteStream drainHandler(Handler<Void> handler) {
        delegate.drainHandler(handler);
        return this;
    }
}

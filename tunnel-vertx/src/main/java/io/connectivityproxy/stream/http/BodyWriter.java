package io.connectivityproxy.stream.http;

import io.connectivityproxy.protocol.http.Http1Writer;
import io.netty.buffer.Unpooled;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.WriteStream;

/**
 * Writes a message body onto an HTTP/1.1 connection with its framing: exactly Content-Length
 * bytes, chunked (each write one chunk, framed without copying the data), or raw bytes for a
 * body the connection's close ends. {@link #end()} fails when a Content-Length body is short,
 * so a truncated body is never passed off as complete; a write beyond it fails too.
 */
public final class BodyWriter implements WriteStream<Buffer> {

    /** How the body is framed on the wire. */
    public enum Framing {
        LENGTH,
        CHUNKED,
        RAW
    }

    private final NetSocket socket;
    private final Framing framing;
    private final long length;
    private long written;
    private boolean ended;

    public BodyWriter(NetSocket socket, Framing framing, long length) {
        this.socket = socket;
        this.framing = framing;
        this.length = length;
    }

    /** Content bytes written so far. */
    public long written() {
        return written;
    }

    @Override
    public Future<Void> write(Buffer data) {
        if (ended) {
            return Future.failedFuture(new IllegalStateException("the body is already complete"));
        }
        if (data.length() == 0) {
            return Future.succeededFuture();
        }
        if (framing == Framing.LENGTH && written + data.length() > length) {
            // Refused whole and not counted, so end() still sees the body as short.
            return Future.failedFuture(
                    new IllegalStateException("the body is longer than its Content-Length " + length));
        }
        written += data.length();
        if (framing == Framing.CHUNKED) {
            return socket.write(Buffer.buffer(Unpooled.wrappedBuffer(
                    Unpooled.wrappedBuffer(Http1Writer.chunkHeader(data.length())),
                    data.getByteBuf(),
                    Unpooled.wrappedBuffer(Http1Writer.CRLF))));
        }
        return socket.write(data);
    }

    @Override
    public void write(Buffer data, Handler<AsyncResult<Void>> handler) {
        Future<Void> result = write(data);
        if (handler != null) {
            result.onComplete(handler);
        }
    }

    @Override
    public Future<Void> end() {
        if (ended) {
            return Future.succeededFuture();
        }
        ended = true;
        if (framing == Framing.LENGTH && written < length) {
            return Future.failedFuture(
                    new IllegalStateException("the body ended after " + written + " of " + length + " bytes"));
        }
        if (framing == Framing.CHUNKED) {
            // A new buffer each time, never one in a static field: GraalVM runs a simple static initialiser
            // at build time and then refuses the Vert.x buffer it made in the native image's heap.
            return socket.write(Buffer.buffer(Http1Writer.LAST_CHUNK));
        }
        return Future.succeededFuture();
    }

    @Override
    public void end(Handler<AsyncResult<Void>> handler) {
        Future<Void> result = end();
        if (handler != null) {
            result.onComplete(handler);
        }
    }

    @Override
    public BodyWriter exceptionHandler(Handler<Throwable> handler) {
        // The exchange owns the socket's exception handler.
        return this;
    }

    @Override
    public BodyWriter setWriteQueueMaxSize(int maxSize) {
        socket.setWriteQueueMaxSize(maxSize);
        return this;
    }

    @Override
    public boolean writeQueueFull() {
        return socket.writeQueueFull();
    }

    @Override
    public BodyWriter drainHandler(Handler<Void> handler) {
        socket.drainHandler(handler);
        return this;
    }
}

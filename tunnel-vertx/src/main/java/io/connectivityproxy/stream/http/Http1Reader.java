package io.connectivityproxy.stream.http;

import java.util.ArrayDeque;

import io.connectivityproxy.protocol.http.BodyDecoder;
import io.connectivityproxy.protocol.http.BodyFraming;
import io.connectivityproxy.protocol.http.Http1Parser;
import io.connectivityproxy.protocol.http.HttpException;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.ReadStream;

/**
 * Reads HTTP/1.1 messages off a socket, one part at a time and only when asked: a head, then
 * its body as a {@link ReadStream} with back-pressure, then (on a kept-alive connection) the
 * next head. Between parts the socket is paused, and bytes read past a message (a pipelined
 * request) wait for the next one. The caller owns the socket's close and exception handlers.
 */
public final class Http1Reader {

    /** What happens to a head being read. */
    public interface HeadHandler {
        /** The head's bytes, up to and including its empty line. */
        void head(byte[] head);

        /** The connection ended cleanly before any byte of a head. */
        void closed();

        /** The head is malformed or too large, or the connection ended inside it. */
        void failed(HttpException e);
    }

    private enum Mode {
        IDLE,
        HEAD,
        BODY,
        DETACHED
    }

    private final NetSocket socket;
    private Buffer pending = Buffer.buffer();
    /** How much of {@code pending} a head scan has seen without finding the head's end. */
    private int scanned;

    private Mode mode = Mode.IDLE;
    private boolean ended;
    private int maxHead;
    private HeadHandler headHandler;
    private Body body;

    public Http1Reader(NetSocket socket) {
        this.socket = socket;
        socket.pause();
        socket.handler(this::onData);
        socket.endHandler(v -> onEnd());
    }

    /** Reads the next head of at most {@code maxHead} bytes. */
    public void readHead(int maxHead, HeadHandler handler) {
        this.maxHead = maxHead;
        this.headHandler = handler;
        mode = Mode.HEAD;
        scanHead();
    }

    /** Reads the body of the head just read; its stream ends when the body is complete. */
    public ReadStream<Buffer> body(BodyFraming framing) {
        body = new Body(new BodyDecoder(framing));
        scanned = 0;
        mode = Mode.BODY;
        if (body.decoder.done()) {
            body.finished = true;
        } else if (pending.length() > 0) {
            Buffer input = pending;
            pending = Buffer.buffer();
            body.decode(input);
        }
        return body;
    }

    /**
     * Stops reading HTTP, for a tunnel after CONNECT or a protocol switch: returns the bytes read
     * past the last message. The socket is left paused, with this reader's handlers removed.
     */
    public Buffer detach() {
        mode = Mode.DETACHED;
        socket.pause();
        socket.handler(null);
        socket.endHandler(null);
        Buffer rest = pending;
        pending = Buffer.buffer();
        scanned = 0;
        return rest;
    }

    /** True if the peer ended its side of the connection (all its bytes were read). */
    public boolean ended() {
        return ended;
    }

    /** Bytes read and not yet taken by a head or body (the start of a pipelined message). */
    public int buffered() {
        return pending.length();
    }

    private void onData(Buffer data) {
        switch (mode) {
            case HEAD:
                pending = pending.length() == 0 ? data : pending.appendBuffer(data);
                scanHead();
                break;
            case BODY:
                if (body.finished) {
                    keep(data);
                } else {
                    body.decode(data);
                }
                break;
            default:
                keep(data);
                break;
        }
    }

    private void keep(Buffer data) {
        pending = pending.length() == 0 ? data.copy() : pending.appendBuffer(data);
        socket.pause();
    }

    private void scanHead() {
        int end;
        try {
            Buffer in = pending;
            end = Http1Parser.headEnd(in::getByte, 0, scanned, in.length(), maxHead);
        } catch (HttpException e) {
            fail(e);
            return;
        }
        if (end < 0) {
            scanned = pending.length();
            if (ended) {
                mode = Mode.IDLE;
                if (pending.length() == 0) {
                    headHandler.closed();
                } else {
                    headHandler.failed(new HttpException(400, "the connection closed inside a message head"));
                }
            } else {
                socket.resume();
            }
            return;
        }
        scanned = 0;
        byte[] head = pending.getBytes(0, end);
        pending = end == pending.length() ? Buffer.buffer() : pending.getBuffer(end, pending.length());
        mode = Mode.IDLE;
        socket.pause();
        headHandler.head(head);
    }

    private void fail(HttpException e) {
        mode = Mode.IDLE;
        socket.pause();
        headHandler.failed(e);
    }

    private void onEnd() {
        ended = true;
        if (mode == Mode.HEAD) {
            scanHead();
        } else if (mode == Mode.BODY && !body.finished) {
            body.inputEnded();
        }
    }

    /**
     * A body as a read stream; content slices share the socket's buffers. Its end (or failure) is
     * delivered once a handler and the end (or exception) handler are set, in whichever order.
     */
    private final class Body implements ReadStream<Buffer> {

        private final BodyDecoder decoder;
        private final ArrayDeque<Buffer> queue = new ArrayDeque<>();
        private Handler<Buffer> handler;
        private Handler<Void> endHandler;
        private Handler<Throwable> exceptionHandler;
        private long demand = Long.MAX_VALUE;
        private boolean finished;
        private boolean endDelivered;
        private HttpException failure;

        Body(BodyDecoder decoder) {
            this.decoder = decoder;
        }

        void decode(Buffer data) {
            if (failure != null) {
                // Nothing after a framing error can be trusted; the exception is pending delivery.
                socket.pause();
                return;
            }
            int stop;
            try {
                stop = decoder.decode(data::getByte, 0, data.length(), (from, to) -> queue.add(data.slice(from, to)));
            } catch (HttpException e) {
                failure = e;
                socket.pause();
                drain();
                return;
            }
            if (decoder.done()) {
                finished = true;
                if (stop < data.length()) {
                    pending = data.getBuffer(stop, data.length());
                }
            }
            drain();
        }

        void inputEnded() {
            try {
                decoder.end();
                finished = true;
            } catch (HttpException e) {
                failure = e;
            }
            drain();
        }

        private void drain() {
            while (demand > 0 && handler != null && !queue.isEmpty()) {
                if (demand != Long.MAX_VALUE) {
                    demand--;
                }
                handler.handle(queue.poll());
            }
            if (!queue.isEmpty() || handler == null || demand == 0) {
                socket.pause();
                return;
            }
            if (failure != null && !endDelivered && exceptionHandler != null) {
                endDelivered = true;
                mode = Mode.IDLE;
                socket.pause();
                exceptionHandler.handle(failure);
            } else if (finished && !endDelivered && endHandler != null) {
                endDelivered = true;
                mode = Mode.IDLE;
                socket.pause();
                endHandler.handle(null);
            } else if (!finished && failure == null && mode == Mode.BODY) {
                socket.resume();
            }
        }

        @Override
        public Body exceptionHandler(Handler<Throwable> handler) {
            this.exceptionHandler = handler;
            if (handler != null && this.handler != null) {
                drain();
            }
            return this;
        }

        @Override
        public Body handler(Handler<Buffer> handler) {
            this.handler = handler;
            if (handler != null) {
                drain();
            }
            return this;
        }

        @Override
        public Body pause() {
            demand = 0;
            socket.pause();
            return this;
        }

        @Override
        public Body resume() {
            return fetch(Long.MAX_VALUE);
        }

        @Override
        public Body fetch(long amount) {
            if (amount > 0) {
                demand = Long.MAX_VALUE - demand <= amount ? Long.MAX_VALUE : demand + amount;
                drain();
            }
            return this;
        }

        @Override
        public Body endHandler(Handler<Void> endHandler) {
            this.endHandler = endHandler;
            if (endHandler != null && handler != null) {
                drain();
            }
            return this;
        }
    }
}

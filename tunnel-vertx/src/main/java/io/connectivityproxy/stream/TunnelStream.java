package io.connectivityproxy.stream;

import java.util.ArrayDeque;

import io.connectivityproxy.protocol.Frame;
import io.connectivityproxy.protocol.FrameCodec;
import io.connectivityproxy.protocol.ProtocolException;
import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.protocol.ReceiveCredit;
import io.connectivityproxy.protocol.SendCredit;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

/**
 * One logical stream of a multiplexed tunnel, as a Vert.x {@link ReadStream} and
 * {@link WriteStream} so it can be piped to and from sockets with back-pressure.
 *
 * <p>Flow control is credit based in both directions: bytes are sent only within the credit
 * the peer granted, and credit is returned to the peer only when received bytes were handed to
 * this stream's handler (a pipe stops taking them when its destination is full). A stream
 * therefore never holds more than its window. All methods run on the stream's context; the
 * {@link StreamMultiplexer} dispatches incoming frames there.
 */
public final class TunnelStream implements ReadStream<Buffer>, WriteStream<Buffer> {

    /** Lifecycle of a stream; half-close is tracked separately by the two FIN flags. */
    public enum State {
        /** OPEN sent (or received), no OPEN_OK yet. */
        OPENING,
        /** Data may flow; each direction ends with its FIN. */
        OPEN,
        /** Both FINs delivered, OPEN_FAIL, or RST: nothing more happens. */
        CLOSED
    }

    private final Context context;
    private final int id;
    private final FrameSink sink;
    private final int maxChunk;
    private final ReceiveCredit receiveCredit;
    private final Promise<TunnelStream> opened = Promise.promise();
    private SendCredit sendCredit;
    private State state = State.OPENING;
    private boolean finSent;
    private boolean finReceived;
    private boolean endDelivered;
    private boolean endNotified;
    private Handler<Void> closeHandler;
    private Runnable unregister = () -> {};

    // read side
    private final ArrayDeque<Buffer> inbound = new ArrayDeque<>();
    private long demand = Long.MAX_VALUE;
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;
    private Handler<Throwable> exceptionHandler;

    // write side
    private final ArrayDeque<PendingWrite> outbound = new ArrayDeque<>();
    private long outboundBytes;
    private int writeQueueMaxSize;
    private Handler<Void> drainHandler;
    private Promise<Void> endPromise;

    /** {@code whole}: sent as one DATA frame, waiting for enough credit (an HTTP head). */
    private record PendingWrite(Buffer data, Promise<Void> promise, boolean whole) {}

    TunnelStream(Context context, int id, FrameSink sink, ReceiveCredit receiveCredit, int maxChunk) {
        this.context = context;
        this.id = id;
        this.sink = sink;
        this.maxChunk = maxChunk;
        this.writeQueueMaxSize = maxChunk;
        this.receiveCredit = receiveCredit;
    }

    void unregister(Runnable unregister) {
        this.unregister = unregister;
    }

    public int id() {
        return id;
    }

    public Context context() {
        return context;
    }

    public State state() {
        return state;
    }

    /** True once both directions ended with FIN (as opposed to a reset, refusal or lost session). */
    public boolean completed() {
        return finSent && endDelivered;
    }

    /** The window this side grants its peer: sent in OPEN or OPEN_OK, then grown when it limits the stream. */
    public int receiveWindow() {
        return receiveCredit.window();
    }

    /** Completes on OPEN_OK; fails with a {@link StreamException} on OPEN_FAIL or reset. */
    public Future<TunnelStream> opened() {
        return opened.future();
    }

    /** Called once when the stream reaches {@link State#CLOSED}, however it got there. */
    public TunnelStream closeHandler(Handler<Void> handler) {
        this.closeHandler = handler;
        return this;
    }

    // ---- accepting side ----------------------------------------------------------------------

    /** Accepts a stream the peer opened with {@code peerWindow} of credit: sends OPEN_OK. */
    public void accept(int peerWindow) {
        if (state != State.OPENING) {
            return;
        }
        sendCredit = new SendCredit(peerWindow);
        state = State.OPEN;
        sink.send(Buffer.buffer(FrameCodec.encode(new Frame.OpenOk(id, receiveCredit.window()))));
        opened.tryComplete(this);
        flush();
    }

    /** Refuses a stream the peer opened: sends OPEN_FAIL. */
    public void reject(Reason reason, String message) {
        if (state != State.OPENING) {
            return;
        }
        sink.send(Buffer.buffer(FrameCodec.encode(new Frame.OpenFail(id, reason, message))));
        close(new StreamException(reason, message), false);
    }

    // ---- frames from the peer (called on this stream's context) ------------------------------

    void onFrame(Frame frame) {
        if (state == State.CLOSED) {
            return;
        }
        if (frame instanceof Frame.Data data) {
            onData(Buffer.buffer(data.payload()), false);
        } else if (frame instanceof Frame.WindowUpdate update) {
            onWindowUpdate(update.increment());
        } else if (frame instanceof Frame.Fin) {
            onFin();
        } else if (frame instanceof Frame.Rst rst) {
            close(new StreamException(rst.reason(), rst.message()), true);
        } else if (frame instanceof Frame.OpenOk ok) {
            onOpenOk(ok.window());
        } else if (frame instanceof Frame.OpenFail fail) {
            close(new StreamException(fail.reason(), fail.message()), true);
        } else {
            peerError(Reason.PROTOCOL_ERROR, "unexpected " + frame.getClass().getSimpleName() + " on a stream");
        }
    }

    private void onOpenOk(int window) {
        if (state != State.OPENING || sendCredit != null) {
            peerError(Reason.PROTOCOL_ERROR, "OPEN_OK for a stream that is already open");
            return;
        }
        sendCredit = new SendCredit(window);
        state = State.OPEN;
        opened.tryComplete(this);
        flush();
    }

    /** DATA from the peer, already split from its frame; {@code senderBlocked} is its BLOCKED flag. */
    void onData(Buffer payload, boolean senderBlocked) {
        if (state == State.CLOSED) {
            return;
        }
        if (finReceived) {
            peerError(Reason.PROTOCOL_ERROR, "DATA after FIN");
            return;
        }
        try {
            receiveCredit.received(payload.length(), senderBlocked);
        } catch (ProtocolException e) {
            peerError(Reason.FLOW_CONTROL_ERROR, e.getMessage());
            return;
        }
        inbound.add(payload);
        drainInbound();
    }

    private void onWindowUpdate(int increment) {
        if (sendCredit == null) {
            peerError(Reason.PROTOCOL_ERROR, "WINDOW_UPDATE before the stream was open");
            return;
        }
        try {
            sendCredit.grant(increment);
        } catch (ProtocolException e) {
            peerError(Reason.FLOW_CONTROL_ERROR, e.getMessage());
            return;
        }
        flush();
    }

    private void onFin() {
        if (finReceived) {
            peerError(Reason.PROTOCOL_ERROR, "second FIN");
            return;
        }
        finReceived = true;
        drainInbound();
    }

    // ---- read side ---------------------------------------------------------------------------

    private void drainInbound() {
        while (demand > 0 && handler != null && !inbound.isEmpty() && state != State.CLOSED) {
            Buffer next = inbound.poll();
            if (demand != Long.MAX_VALUE) {
                demand--;
            }
            handler.handle(next);
            if (state == State.CLOSED) {
                return;
            }
            int increment = receiveCredit.consumed(next.length());
            if (increment > 0 && !finReceived) {
                sink.send(Buffer.buffer(FrameCodec.encode(new Frame.WindowUpdate(id, increment))));
            }
        }
        if (finReceived
                && inbound.isEmpty()
                && !endDelivered
                && state != State.CLOSED
                && handler != null
                && demand > 0) {
            endDelivered = true;
            if (endHandler != null) {
                endNotified = true;
                endHandler.handle(null);
            }
            closeIfDone();
        }
    }

    @Override
    public TunnelStream handler(Handler<Buffer> handler) {
        this.handler = handler;
        if (handler != null) {
            drainInbound();
        }
        return this;
    }

    @Override
    public TunnelStream pause() {
        demand = 0;
        return this;
    }

    @Override
    public TunnelStream resume() {
        return fetch(Long.MAX_VALUE);
    }

    @Override
    public TunnelStream fetch(long amount) {
        if (amount > 0) {
            demand = Long.MAX_VALUE - demand <= amount ? Long.MAX_VALUE : demand + amount;
            drainInbound();
        }
        return this;
    }

    @Override
    public TunnelStream endHandler(Handler<Void> endHandler) {
        this.endHandler = endHandler;
        // An end delivered before this handler was set is reported now, whatever the order.
        if (endHandler != null && endDelivered && !endNotified) {
            endNotified = true;
            endHandler.handle(null);
        }
        return this;
    }

    @Override
    public TunnelStream exceptionHandler(Handler<Throwable> handler) {
        this.exceptionHandler = handler;
        return this;
    }

    // ---- write side --------------------------------------------------------------------------

    @Override
    public Future<Void> write(Buffer data) {
        if (state == State.CLOSED) {
            return Future.failedFuture(new StreamException(Reason.CANCELLED, "stream " + id + " is closed"));
        }
        if (endPromise != null) {
            return Future.failedFuture(new IllegalStateException("stream " + id + " is already ended"));
        }
        return enqueue(data, false);
    }

    /**
     * Writes {@code data} as exactly one DATA frame, waiting until the peer's credit covers all of
     * it: a message the peer decodes per frame (an HTTP head) must not be split. At most
     * {@link FrameCodec#MAX_PAYLOAD} bytes, and no more than the peer's window.
     */
    public Future<Void> writeWhole(Buffer data) {
        if (data.length() > FrameCodec.MAX_PAYLOAD) {
            return Future.failedFuture(new IllegalArgumentException(
                    "a " + data.length() + "-byte message does not fit in one DATA frame"));
        }
        if (state == State.CLOSED) {
            return Future.failedFuture(new StreamException(Reason.CANCELLED, "stream " + id + " is closed"));
        }
        if (endPromise != null) {
            return Future.failedFuture(new IllegalStateException("stream " + id + " is already ended"));
        }
        return enqueue(data, true);
    }

    private Future<Void> enqueue(Buffer data, boolean whole) {
        Promise<Void> promise = Promise.promise();
        outbound.add(new PendingWrite(data, promise, whole));
        outboundBytes += data.length();
        flush();
        return promise.future();
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
        if (state == State.CLOSED) {
            return finSent
                    ? Future.succeededFuture()
                    : Future.failedFuture(new StreamException(Reason.CANCELLED, "stream " + id + " is closed"));
        }
        if (endPromise == null) {
            endPromise = Promise.promise();
            flush();
        }
        return endPromise.future();
    }

    @Override
    public void end(Handler<AsyncResult<Void>> handler) {
        Future<Void> result = end();
        if (handler != null) {
            result.onComplete(handler);
        }
    }

    @Override
    public TunnelStream setWriteQueueMaxSize(int maxSize) {
        this.writeQueueMaxSize = maxSize;
        return this;
    }

    @Override
    public boolean writeQueueFull() {
        return outboundBytes >= writeQueueMaxSize;
    }

    @Override
    public TunnelStream drainHandler(Handler<Void> handler) {
        this.drainHandler = handler;
        return this;
    }

    /** Sends queued bytes within the credit, then FIN once everything queued before end() is out. */
    private void flush() {
        if (sendCredit == null || state == State.CLOSED) {
            return;
        }
        boolean wasFull = writeQueueFull();
        while (!outbound.isEmpty()) {
            PendingWrite head = outbound.peek();
            Buffer data = head.data();
            if (head.whole() && sendCredit.available() < data.length()) {
                break;
            }
            int chunk = sendCredit.take(head.whole() ? data.length() : Math.min(data.length(), maxChunk));
            if (chunk == 0 && data.length() > 0) {
                break;
            }
            boolean more = chunk < data.length() || outbound.size() > 1;
            sendData(data, chunk, more && sendCredit.available() == 0);
            outboundBytes -= chunk;
            if (chunk == data.length()) {
                outbound.poll();
                head.promise().complete();
            } else {
                outbound.poll();
                outbound.addFirst(new PendingWrite(data.slice(chunk, data.length()), head.promise(), false));
            }
        }
        if (outbound.isEmpty() && endPromise != null && !finSent) {
            finSent = true;
            sink.send(Buffer.buffer(FrameCodec.encode(new Frame.Fin(id))));
            endPromise.complete();
            closeIfDone();
        }
        if (wasFull && !writeQueueFull() && drainHandler != null && state != State.CLOSED) {
            drainHandler.handle(null);
        }
    }

    private void sendData(Buffer data, int length, boolean blocked) {
        sink.send(FrameBuffers.data(id, data, length, blocked));
    }

    // ---- ending ------------------------------------------------------------------------------

    /** Aborts the stream in both directions: sends RST and fails everything pending. */
    public void reset(Reason reason, String message) {
        if (state == State.CLOSED) {
            return;
        }
        if (message == null) {
            message = "";
        }
        sink.send(Buffer.buffer(FrameCodec.encode(new Frame.Rst(id, reason, message))));
        close(new StreamException(reason, message), false);
    }

    /** The peer broke the protocol on this stream: reset it and tell the reader why. */
    private void peerError(Reason reason, String message) {
        if (state == State.CLOSED) {
            return;
        }
        sink.send(Buffer.buffer(FrameCodec.encode(new Frame.Rst(id, reason, message))));
        close(new StreamException(reason, message), true);
    }

    /**
     * The peer went silent: fail locally as if the session were gone, and send RST so that a
     * peer which comes back releases its side too.
     */
    void abandon(Reason reason, String message) {
        if (state == State.CLOSED) {
            return;
        }
        sink.send(Buffer.buffer(FrameCodec.encode(new Frame.Rst(id, reason, message))));
        close(new StreamException(reason, message), true);
    }

    /** The session under the stream is gone: fail locally without sending anything. */
    void lost(Reason reason, String message) {
        close(new StreamException(reason, message), true);
    }

    private void closeIfDone() {
        if (finSent && endDelivered && state != State.CLOSED) {
            state = State.CLOSED;
            receiveCredit.release();
            unregister.run();
            if (closeHandler != null) {
                closeHandler.handle(null);
            }
        }
    }

    private void close(StreamException cause, boolean notify) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        receiveCredit.release();
        opened.tryFail(cause);
        inbound.clear();
        for (PendingWrite pending : outbound) {
            pending.promise().tryFail(cause);
        }
        outbound.clear();
        outboundBytes = 0;
        if (endPromise != null) {
            endPromise.tryFail(cause);
        }
        unregister.run();
        if (notify && exceptionHandler != null) {
            exceptionHandler.handle(cause);
        }
        if (closeHandler != null) {
            closeHandler.handle(null);
        }
    }
}

package io.connectivityproxy.stream;

import java.util.function.LongConsumer;

import io.connectivityproxy.protocol.Reason;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * Bridges a TCP socket and a tunnel stream in both directions with back-pressure and
 * half-close: the socket's EOF becomes the stream's FIN, the stream's FIN shuts down the
 * socket's output, and the socket closes once both directions are done or either fails. A socket
 * that closes or fails a write before both directions are done resets the stream, also after its
 * EOF (a peer that half-closed and then reset is noticed only by a failed write).
 *
 * <p>Netty closes a socket whose peer half-closed unless ALLOW_HALF_CLOSURE is set; with it set,
 * the EOF arrives as an event, which this relay turns into FIN only after every byte read
 * before it went into the stream.
 */
public final class TcpRelay {

    private final NetSocket socket;
    private final TunnelStream stream;
    private final LongConsumer toStream;
    private final Context context;
    private boolean paused;
    private boolean inputEnded;
    private boolean finQueued;
    /** Everything the stream carried went into the socket and its output was shut down. */
    private boolean outputEnded;

    /**
     * A socket held paused until its stream is open (a service channel's client waits for the
     * cloud's answer): half-close is allowed from the start, and an EOF that arrives meanwhile is
     * remembered for {@link #bridge(Held, TunnelStream, LongConsumer, LongConsumer, Runnable)}.
     */
    public static final class Held {
        private final NetSocket socket;
        private boolean inputEnded;

        private Held(NetSocket socket) {
            this.socket = socket;
        }

        public NetSocket socket() {
            return socket;
        }
    }

    /** Pauses {@code socket}, allows its peer to half-close it, and remembers an early EOF; call on accepting. */
    public static Held hold(NetSocket socket) {
        socket.pause();
        allowHalfClose(socket);
        Held held = new Held(socket);
        if (socket instanceof NetSocketInternal internal) {
            internal.eventHandler(event -> {
                if (event instanceof ChannelInputShutdownEvent) {
                    held.inputEnded = true;
                }
            });
        }
        return held;
    }

    /** {@link #bridge(NetSocket, TunnelStream, LongConsumer, LongConsumer, Runnable)} for a held socket. */
    public static void bridge(
            Held held, TunnelStream stream, LongConsumer toStream, LongConsumer toSocket, Runnable onClosed) {
        TcpRelay relay = new TcpRelay(held.socket, stream, toStream);
        relay.start(toSocket, onClosed);
        if (held.inputEnded) {
            relay.inputEnded = true;
            relay.context.runOnContext(v -> relay.finishInput());
        }
    }

    private TcpRelay(NetSocket socket, TunnelStream stream, LongConsumer toStream) {
        this.socket = socket;
        this.stream = stream;
        this.toStream = toStream;
        this.context = stream.context();
    }

    /** Lets the peer of {@code socket} half-close it; call right after connecting or accepting. */
    public static void allowHalfClose(NetSocket socket) {
        if (socket instanceof NetSocketInternal internal) {
            internal.channelHandlerContext().channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        }
    }

    /** Shuts down the socket's output (TCP FIN) and keeps reading; closes it if that is impossible. */
    public static void shutdownOutput(NetSocket socket) {
        if (socket instanceof NetSocketInternal internal
                && internal.channelHandlerContext().channel() instanceof DuplexChannel duplex) {
            duplex.shutdownOutput();
        } else {
            socket.close();
        }
    }

    /**
     * Starts relaying. {@code toStream} and {@code toSocket} count bytes each way; {@code onClosed}
     * runs once when the stream is done. Must run on the stream's context; the socket should be
     * paused until then.
     */
    public static void bridge(
            NetSocket socket, TunnelStream stream, LongConsumer toStream, LongConsumer toSocket, Runnable onClosed) {
        new TcpRelay(socket, stream, toStream).start(toSocket, onClosed);
    }

    private void start(LongConsumer toSocket, Runnable onClosed) {
        allowHalfClose(socket);
        stream.closeHandler(v -> {
            socket.close();
            onClosed.run();
        });
        socket.exceptionHandler(e -> stream.reset(Reason.CANCELLED, "connection failed: " + e.getMessage()));
        socket.closeHandler(v -> {
            // Nothing more goes through a closed socket. The stream finishes on its own only if both
            // directions had ended (what it still sends its peer was all read before the EOF);
            // otherwise it is reset, after an EOF too: a peer that half-closed and then reset is
            // noticed only here, once a write to it has failed.
            if (!inputEnded || !outputEnded) {
                stream.reset(Reason.CANCELLED, "connection closed");
            }
        });
        if (socket instanceof NetSocketInternal internal) {
            internal.eventHandler(event -> {
                if (event instanceof ChannelInputShutdownEvent) {
                    inputEnded = true;
                    context.runOnContext(v -> finishInput());
                }
            });
        }
        socket.handler(data -> {
            if (finQueued) {
                // Never drop bytes silently: if input ever arrives after its end, fail the stream.
                stream.reset(Reason.INTERNAL, "connection input arrived after its end");
                return;
            }
            toStream.accept(data.length());
            stream.write(data);
            if (stream.writeQueueFull() && !paused) {
                paused = true;
                socket.pause();
                stream.drainHandler(v -> {
                    paused = false;
                    socket.resume();
                    // Data the socket buffered while paused is delivered before this runs.
                    context.runOnContext(x -> finishInput());
                });
            }
        });
        stream.pipe()
                .endOnSuccess(false)
                .endOnFailure(false)
                .to(new CountingWriteStream(socket, toSocket))
                .onComplete(done -> {
                    if (done.succeeded()) {
                        // Netty drops writes still queued when the output is shut down: let an
                        // empty write (ordered after them) complete first.
                        socket.write(Buffer.buffer()).onComplete(flushed -> {
                            if (flushed.succeeded()) {
                                outputEnded = true;
                                shutdownOutput(socket);
                            } else {
                                stream.reset(
                                        Reason.CANCELLED,
                                        "connection failed: " + flushed.cause().getMessage());
                                socket.close();
                            }
                        });
                    } else {
                        // The stream failed, or a write to the socket did (the pipe then stops
                        // reading the stream, which would otherwise wait for that reader forever).
                        stream.reset(
                                Reason.CANCELLED,
                                "connection failed: " + done.cause().getMessage());
                        socket.close();
                    }
                });
        socket.resume();
    }

    private void finishInput() {
        if (inputEnded && !paused && !finQueued) {
            // The EOF event bypasses the bytes the socket buffered while it was paused; resume()
            // hands those over in a task it queued, which may still be ahead of this one (a window
            // update handled in the same turn can have resumed the socket). One more turn of the
            // event loop lets that task go first; if it fills the stream again, paused is set.
            context.runOnContext(v -> {
                if (!paused && !finQueued) {
                    finQueued = true;
                    stream.end();
                }
            });
        }
    }
}

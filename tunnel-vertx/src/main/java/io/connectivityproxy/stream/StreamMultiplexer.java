package io.connectivityproxy.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.connectivityproxy.protocol.Frame;
import io.connectivityproxy.protocol.FrameCodec;
import io.connectivityproxy.protocol.PrincipalTokens;
import io.connectivityproxy.protocol.ProtocolException;
import io.connectivityproxy.protocol.Reason;
import io.connectivityproxy.protocol.ReceiveCredit;
import io.connectivityproxy.protocol.TargetProtocol;
import io.connectivityproxy.protocol.WindowBudget;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.impl.ContextInternal;

/**
 * The streams of one multiplexed connection (a connector session, or a node's event bus hop):
 * allocates stream ids, sends OPEN, and routes each incoming stream frame to its stream on the
 * stream's own context. Session frames (HELLO, PING, GOAWAY) are the owner's business.
 */
public final class StreamMultiplexer {

    private final FrameSink sink;
    private final int receiveWindow;
    private final int maxReceiveWindow;
    private final WindowBudget windowBudget;
    private final int maxChunk;
    private final Map<Integer, TunnelStream> streams = new ConcurrentHashMap<>();
    private final AtomicInteger nextId;

    /** Streams with a fixed receive window. */
    public StreamMultiplexer(FrameSink sink, int firstId, int receiveWindow, int maxChunk) {
        this(sink, firstId, receiveWindow, receiveWindow, WindowBudget.NONE, maxChunk);
    }

    /**
     * @param firstId 1 when this side opens odd ids, 2 when it opens even ids
     * @param receiveWindow the credit first granted to the peer for each stream
     * @param maxReceiveWindow how far a stream's window may grow when it limits the stream
     * @param windowBudget what the growth of all streams comes out of (shared by the process)
     * @param maxChunk the largest DATA payload this side sends
     */
    public StreamMultiplexer(
            FrameSink sink,
            int firstId,
            int receiveWindow,
            int maxReceiveWindow,
            WindowBudget windowBudget,
            int maxChunk) {
        if (maxChunk <= 0 || maxChunk > FrameCodec.MAX_PAYLOAD) {
            throw new IllegalArgumentException("chunk size must be between 1 and " + FrameCodec.MAX_PAYLOAD);
        }
        this.sink = sink;
        this.nextId = new AtomicInteger(firstId);
        this.receiveWindow = receiveWindow;
        this.maxReceiveWindow = maxReceiveWindow;
        this.windowBudget = windowBudget;
        this.maxChunk = maxChunk;
    }

    /** Opens a stream; its {@link TunnelStream#opened()} completes on OPEN_OK. */
    public TunnelStream open(Context context, TargetProtocol protocol, String host, int port, byte[] head) {
        return open(context, protocol, host, port, head, sink);
    }

    /** Opens a stream whose OPEN frame goes through {@code openSink} (e.g. with routing headers). */
    public TunnelStream open(
            Context context, TargetProtocol protocol, String host, int port, byte[] head, FrameSink openSink) {
        return open(context, protocol, host, port, head, PrincipalTokens.NONE, openSink);
    }

    /** The same, with the tokens of a user to propagate (protocol version 3; none: {@link PrincipalTokens#NONE}). */
    public TunnelStream open(
            Context context,
            TargetProtocol protocol,
            String host,
            int port,
            byte[] head,
            PrincipalTokens principals,
            FrameSink openSink) {
        TunnelStream stream = register(context, allocateId());
        openSink.send(Buffer.buffer(
                FrameCodec.encode(new Frame.Open(stream.id(), protocol, host, port, receiveWindow, head, principals))));
        return stream;
    }

    /**
     * Opens a service-channel stream (protocol version 2, connector side): CHANNEL_OPEN for
     * {@code serviceId}; {@link TunnelStream#opened()} completes on OPEN_OK.
     */
    public TunnelStream openChannel(Context context, TargetProtocol protocol, String serviceId) {
        TunnelStream stream = register(context, allocateId());
        sink.send(Buffer.buffer(
                FrameCodec.encode(new Frame.ChannelOpen(stream.id(), protocol, serviceId, receiveWindow))));
        return stream;
    }

    /**
     * Registers a stream the peer opened. The caller answers with {@link TunnelStream#accept}
     * or {@link TunnelStream#reject}; returns null when the id is already in use.
     */
    public TunnelStream incoming(Context context, Frame.Open open) {
        return incoming(context, open.streamId());
    }

    /** Registers a stream the peer opened under {@code streamId} (OPEN or CHANNEL_OPEN); null when in use. */
    public TunnelStream incoming(Context context, int streamId) {
        TunnelStream stream = newStream(context, streamId);
        if (streams.putIfAbsent(streamId, stream) != null) {
            return null;
        }
        stream.unregister(() -> streams.remove(streamId, stream));
        return stream;
    }

    /** Routes a stream frame to its stream; frames for unknown streams are dropped (they raced a reset). */
    public void dispatch(Frame frame) {
        TunnelStream stream = streams.get(frame.streamId());
        if (stream != null) {
            onStreamContext(stream, frame, stream::onFrame);
        }
    }

    /**
     * Routes one encoded stream frame. DATA payloads are handed on as views of {@code message}
     * without a copy; other frames are decoded. Throws for a malformed frame (the caller closes
     * the connection).
     */
    public void dispatch(Buffer message) throws ProtocolException {
        if (FrameBuffers.checkHeader(message) == FrameCodec.TYPE_DATA) {
            TunnelStream stream = streams.get(FrameBuffers.streamId(message));
            if (stream != null) {
                boolean blocked = FrameBuffers.blocked(message);
                onStreamContext(stream, FrameBuffers.payload(message), payload -> stream.onData(payload, blocked));
            }
            return;
        }
        dispatch(FrameCodec.decode(message.getBytes()));
    }

    /**
     * Runs {@code handler} on the stream's context: at once when this thread is the context's
     * event loop (no hand-off, no wake-up), otherwise queued there in arrival order.
     */
    private static <T> void onStreamContext(TunnelStream stream, T argument, Handler<T> handler) {
        ((ContextInternal) stream.context()).emit(argument, handler);
    }

    /** Fails every stream because the connection under them is gone. */
    public void loseAll(Reason reason, String message) {
        List<TunnelStream> all = new ArrayList<>(streams.values());
        streams.clear();
        for (TunnelStream stream : all) {
            stream.context().runOnContext(v -> stream.lost(reason, message));
        }
    }

    /**
     * Fails every stream because the peer has gone silent, sending RST for each so that the
     * peer, should it come back, releases them as well. Keep using this multiplexer for the peer:
     * its id counter goes on, so a new stream never takes an id the peer may still hold.
     */
    public void abandonAll(Reason reason, String message) {
        List<TunnelStream> all = new ArrayList<>(streams.values());
        streams.clear();
        for (TunnelStream stream : all) {
            stream.context().runOnContext(v -> stream.abandon(reason, message));
        }
    }

    public int size() {
        return streams.size();
    }

    /** The streams open now, for admin views. */
    public List<TunnelStream> streams() {
        return List.copyOf(streams.values());
    }

    public boolean contains(int streamId) {
        return streams.containsKey(streamId);
    }

    private TunnelStream register(Context context, int id) {
        TunnelStream stream = newStream(context, id);
        streams.put(id, stream);
        stream.unregister(() -> streams.remove(id, stream));
        return stream;
    }

    private TunnelStream newStream(Context context, int id) {
        return new TunnelStream(
                context, id, sink, new ReceiveCredit(receiveWindow, maxReceiveWindow, windowBudget), maxChunk);
    }

    private int allocateId() {
        while (true) {
            int id = nextId.getAndAdd(2) & 0x7fffffff;
            if (id != 0 && !streams.containsKey(id)) {
                return id;
            }
        }
    }
}

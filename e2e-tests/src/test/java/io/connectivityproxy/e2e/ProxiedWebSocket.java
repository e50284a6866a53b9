package io.connectivityproxy.e2e;

import java.net.URI;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;

/**
 * A real WebSocket client (Netty's, the one Vert.x is built on) that reaches a virtual host
 * through the HTTP forward proxy the way a proxy-aware client does on plain HTTP: it connects
 * to the proxy and sends the upgrade request in absolute form, {@code GET http://host:port/path}.
 *
 * <p>Netty is used directly because Vert.x's WebSocket client writes origin form
 * ({@code GET /path}) even for an absolute URI, and CONNECT when given proxy options; the JDK's
 * client uses CONNECT as well. Neither is the forward-proxy path this client exercises.
 *
 * <p>Binary messages are digested as they arrive (SHA-256 and length); text messages are queued.
 */
final class ProxiedWebSocket implements AutoCloseable {

    /** The proxy refused the upgrade, or the backend did: the status the client got instead of 101. */
    static final class Refused extends Exception {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** The peer's close frame: status code and reason. */
    record Close(int status, String reason) {}

    /** Text messages in the order they arrived. */
    final BlockingQueue<String> texts;
    /** The peer's close frame, once it arrived. */
    final CompletableFuture<Close> closeReceived;

    private final Channel channel;
    private final Handler handler;

    private ProxiedWebSocket(Channel channel, Handler handler) {
        this.channel = channel;
        this.handler = handler;
        this.texts = handler.texts;
        this.closeReceived = handler.closeReceived;
    }

    /** Connects to the proxy on 127.0.0.1 and upgrades {@code uri} ({@code http://virtual-host:port/path}). */
    static ProxiedWebSocket connect(EventLoopGroup group, int proxyPort, String uri) throws Exception {
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(URI.create(uri))
                .absoluteUpgradeUrl(true)
                .maxFramePayloadLength(1024 * 1024)
                // The test sees the peer's close frame itself and waits for the server to close TCP.
                .handleCloseFrames(false)
                .handshakeTimeoutMillis(20_000)
                .build();
        Handler handler = new Handler();
        Channel channel = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(
                                        new HttpClientCodec(),
                                        new HttpObjectAggregator(64 * 1024),
                                        new WebSocketClientProtocolHandler(config),
                                        new WebSocketFrameAggregator(16 * 1024 * 1024),
                                        handler);
                    }
                })
                .connect("127.0.0.1", proxyPort)
                .sync()
                .channel();
        try {
            handler.handshake.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            channel.close();
            if (e.getCause() instanceof WebSocketClientHandshakeException refused && refused.response() != null) {
                throw new Refused(refused.response().status().code(), refused.getMessage());
            }
            throw e;
        }
        return new ProxiedWebSocket(channel, handler);
    }

    /** Sends one binary message, waiting until it is written: the sender never runs ahead of the socket. */
    void sendBinary(byte[] data, int offset, int length) throws Exception {
        channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.copiedBuffer(data, offset, length)))
                .get(30, TimeUnit.SECONDS);
    }

    void sendText(String text) throws Exception {
        channel.writeAndFlush(new TextWebSocketFrame(text)).get(30, TimeUnit.SECONDS);
    }

    /** Starts the close handshake from this side. */
    void sendClose(int status, String reason) throws Exception {
        channel.writeAndFlush(new CloseWebSocketFrame(status, reason)).get(30, TimeUnit.SECONDS);
    }

    /** Completes once {@code length} bytes of binary messages (since the last expectation) arrived: their SHA-256. */
    CompletableFuture<String> binaryReceived(long length) {
        return handler.expectBinary(length);
    }

    /** Completes when the TCP connection is closed (by either side). */
    CompletableFuture<Void> tcpClosed() {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        channel.closeFuture().addListener(f -> closed.complete(null));
        return closed;
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    private static final class Handler extends SimpleChannelInboundHandler<WebSocketFrame> {

        final CompletableFuture<Void> handshake = new CompletableFuture<>();
        final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        final CompletableFuture<Close> closeReceived = new CompletableFuture<>();
        private final MessageDigest digest = Payload.digest();
        private long received;
        private long expected = -1;
        private CompletableFuture<String> binary;

        synchronized CompletableFuture<String> expectBinary(long length) {
            expected = length;
            binary = new CompletableFuture<>();
            completeIfDone();
            return binary;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                handshake.complete(null);
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof BinaryWebSocketFrame) {
                ByteBuf content = frame.content();
                byte[] bytes = new byte[content.readableBytes()];
                content.readBytes(bytes);
                synchronized (this) {
                    digest.update(bytes);
                    received += bytes.length;
                    completeIfDone();
                }
            } else if (frame instanceof TextWebSocketFrame text) {
                texts.add(text.text());
            } else if (frame instanceof CloseWebSocketFrame close) {
                closeReceived.complete(new Close(close.statusCode(), close.reasonText()));
            }
        }

        private void completeIfDone() {
            if (binary == null || binary.isDone() || received < expected) {
                return;
            }
            if (received > expected) {
                binary.completeExceptionally(
                        new AssertionError("received " + received + " bytes, expected " + expected));
                return;
            }
            // digest() resets the digest: the next expectation starts from here.
            received = 0;
            binary.complete(HexFormat.of().formatHex(digest.digest()));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            handshake.completeExceptionally(cause);
            synchronized (this) {
                if (binary != null) {
                    binary.completeExceptionally(cause);
                }
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            handshake.completeExceptionally(new IllegalStateException("connection closed during the handshake"));
            synchronized (this) {
                if (binary != null) {
                    binary.completeExceptionally(new AssertionError(
                            "connection closed after " + received + " of " + expected + " binary bytes"));
                }
            }
            super.channelInactive(ctx);
        }
    }
}

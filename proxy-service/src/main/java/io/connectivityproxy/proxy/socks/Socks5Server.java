package io.connectivityproxy.proxy.socks;

import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.connectivityproxy.protocol.TargetProtocol;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

/**
 * A SOCKS5 listener (RFC 1928, CONNECT only). Runs the {@link Socks5Handshake} on each
 * connection, cuts off clients that do not finish it in time, and hands the CONNECT to a
 * {@link Connector} that opens the tunnel stream and answers the client.
 */
public final class Socks5Server {

    private static final Logger LOG = Logger.getLogger(Socks5Server.class);

    /** Opens the stream for a CONNECT and answers the client (success or failure reply). */
    @FunctionalInterface
    public interface Connector {
        void connect(
                NetSocket socket,
                Context context,
                TargetProtocol protocol,
                Socks5Handshake.Connect request,
                byte[] earlyData);
    }

    private final Vertx vertx;
    private final String name;
    private final String host;
    private final int port;
    private final TargetProtocol protocol;
    private final long handshakeTimeoutMillis;
    private final boolean requireAuthorization;
    private final Connector connector;
    private final Runnable onRefused;
    private NetServer server;

    public Socks5Server(
            Vertx vertx,
            String name,
            String host,
            int port,
            TargetProtocol protocol,
            long handshakeTimeoutMillis,
            boolean requireAuthorization,
            Connector connector,
            Runnable onRefused) {
        this.vertx = vertx;
        this.name = name;
        this.host = host;
        this.port = port;
        this.protocol = protocol;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.requireAuthorization = requireAuthorization;
        this.connector = connector;
        this.onRefused = onRefused;
    }

    public void start() throws Exception {
        server = vertx.createNetServer(
                        new NetServerOptions().setHost(host).setPort(port).setTcpNoDelay(true))
                .connectHandler(this::accept);
        server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        LOG.infof("%s listening on %s:%d", name, host, server.actualPort());
    }

    public void stop() {
        if (server != null) {
            server.close();
        }
    }

    public int port() {
        return server == null ? -1 : server.actualPort();
    }

    private void accept(NetSocket socket) {
        Socks5Handshake handshake = new Socks5Handshake(requireAuthorization);
        Context context = vertx.getOrCreateContext();
        long timer = vertx.setTimer(handshakeTimeoutMillis, t -> {
            LOG.debugf("%s: %s did not finish the handshake in time", name, socket.remoteAddress());
            onRefused.run();
            socket.close();
        });
        socket.exceptionHandler(e -> LOG.debugf("%s: %s: %s", name, socket.remoteAddress(), e.getMessage()));
        // A client that leaves mid-handshake is neither refused nor slow: just forget its timer.
        socket.closeHandler(v -> vertx.cancelTimer(timer));
        socket.handler(data -> {
            for (Socks5Handshake.Step step : handshake.feed(data.getBytes())) {
                if (step instanceof Socks5Handshake.Reply reply) {
                    socket.write(Buffer.buffer(reply.bytes()));
                } else if (step instanceof Socks5Handshake.Fail fail) {
                    vertx.cancelTimer(timer);
                    onRefused.run();
                    LOG.debugf("%s: refused %s: %s", name, socket.remoteAddress(), fail.reason());
                    socket.handler(null);
                    if (fail.bytes().length > 0) {
                        socket.write(Buffer.buffer(fail.bytes())).onComplete(v -> socket.close());
                    } else {
                        socket.close();
                    }
                    return;
                } else if (step instanceof Socks5Handshake.Connect connect) {
                    vertx.cancelTimer(timer);
                    socket.pause();
                    socket.handler(null);
                    connector.connect(socket, context, protocol, connect, handshake.remainder());
                    return;
                }
            }
        });
    }
}

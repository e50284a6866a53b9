package io.connectivityproxy.bench;

import java.nio.charset.StandardCharsets;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

/**
 * Opens one raw TCP stream to the echo backend over a route: a plain connect, or a SOCKS5
 * CONNECT (RFC 1928, method 0x00, domain address) as a standard client does it — greeting,
 * wait for the method, request, wait for the reply. The client speaks first on the stream: bytes
 * that arrive together with the reply are not passed on.
 */
final class TcpStreams {

    private TcpStreams() {}

    static Future<NetSocket> open(NetClient client, Route route) {
        Future<NetSocket> connected = client.connect(route.tcpPort(), route.tcpHost());
        return route.socks() ? connected.compose(socket -> socks(socket, route)) : connected;
    }

    private static Future<NetSocket> socks(NetSocket socket, Route route) {
        Promise<NetSocket> promise = Promise.promise();
        Buffer[] received = {Buffer.buffer()};
        boolean[] methodChosen = {false};
        socket.exceptionHandler(e -> {
            promise.tryFail(e);
            socket.close();
        });
        socket.closeHandler(v -> promise.tryFail("SOCKS5 connection closed during the handshake"));
        socket.handler(data -> {
            Buffer in = received[0].appendBuffer(data);
            if (!methodChosen[0]) {
                if (in.length() < 2) {
                    return;
                }
                if (in.getByte(0) != 5 || in.getByte(1) != 0) {
                    fail(promise, socket, "SOCKS5 method refused");
                    return;
                }
                methodChosen[0] = true;
                byte[] host = route.socksTargetHost().getBytes(StandardCharsets.US_ASCII);
                socket.write(Buffer.buffer()
                        .appendBytes(new byte[] {5, 1, 0, 3, (byte) host.length})
                        .appendBytes(host)
                        .appendUnsignedShort(route.socksTargetPort()));
                in = received[0] = in.getBuffer(2, in.length());
            }
            if (in.length() < 5) {
                return;
            }
            int need =
                    switch (in.getByte(3)) {
                        case 1 -> 10;
                        case 4 -> 22;
                        case 3 -> 7 + (in.getByte(4) & 0xff);
                        default -> -1;
                    };
            if (need < 0) {
                fail(promise, socket, "SOCKS5 reply with a bad address type");
                return;
            }
            if (in.length() < need) {
                return;
            }
            if (in.getByte(1) != 0) {
                fail(promise, socket, "SOCKS5 reply code " + in.getByte(1));
                return;
            }
            socket.handler(null);
            socket.closeHandler(null);
            socket.exceptionHandler(null);
            promise.tryComplete(socket);
        });
        socket.write(Buffer.buffer(new byte[] {5, 1, 0}));
        return promise.future();
    }

    private static void fail(Promise<NetSocket> promise, NetSocket socket, String why) {
        promise.tryFail(why);
        socket.close();
    }
}

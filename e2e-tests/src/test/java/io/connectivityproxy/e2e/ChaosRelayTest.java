package io.connectivityproxy.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The chaos relay itself, against an echo server on plain sockets: each mode does what it says. */
class ChaosRelayTest {

    private ServerSocket echo;
    private ChaosRelay relay;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket socket = echo.accept();
                    Thread copier = new Thread(() -> echoUntilEof(socket));
                    copier.setDaemon(true);
                    copier.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        relay = new ChaosRelay("test", echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        relay.close();
        echo.close();
    }

    @Test
    void passRelaysBothWaysAndPassesTheHalfClose() throws IOException {
        try (Socket client = connect()) {
            client.getOutputStream().write(bytes("hello"));
            client.shutdownOutput();
            assertArrayEquals(
                    bytes("hello"),
                    client.getInputStream().readAllBytes(),
                    "the echo answers and, after the client's FIN reached it, closes");
        }
    }

    @Test
    void blackholeDropsWhatIsSentWhileTheSocketsStayOpen() throws IOException {
        try (Socket client = connect()) {
            roundTrip(client, "before");
            relay.blackhole();
            client.getOutputStream().write(bytes("lost"));
            client.getOutputStream().flush();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (relay.dropped() < 4 && System.nanoTime() < deadline) {
                ManagedProcess.pause();
            }
            assertEquals(4, relay.dropped(), "the relay read and dropped what was sent");
            assertEquals(1, relay.open(), "both legs stay open");
            relay.pass();
            // Only what was sent after the blackhole ended comes back: "lost" never reached the echo.
            roundTrip(client, "after");
        }
    }

    @Test
    void delayHoldsEachChunkBackAndKeepsTheOrder() throws IOException {
        try (Socket client = connect()) {
            relay.delay(Duration.ofMillis(200));
            long start = System.nanoTime();
            roundTrip(client, "first");
            roundTrip(client, "second");
            // Two round trips through two delayed legs each: at least four delays.
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(800).toNanos());
        }
    }

    @Test
    void latencyDelaysEveryByteAndDeliversABulkTransferIntactAndInOrder() throws Exception {
        try (Socket client = connect()) {
            relay.latency(Duration.ofMillis(100));
            long start = System.nanoTime();
            roundTrip(client, "first");
            // One round trip through two legs with 100 ms each.
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(200).toNanos());

            int size = 4 * 1024 * 1024;
            byte[] sent = new byte[size];
            Payload.fill(sent, 0);
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = client.getOutputStream();
                    for (int offset = 0; offset < size; offset += 8192) {
                        out.write(sent, offset, 8192);
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            assertArrayEquals(sent, client.getInputStream().readNBytes(size), "echoed in order, byte for byte");
            writer.join();
        }
    }

    @Test
    void resetResetsOpenConnectionsAndNewOnes() throws IOException {
        try (Socket client = connect()) {
            roundTrip(client, "before");
            relay.reset();
            assertThrows(SocketException.class, () -> client.getInputStream().read());
        }
        try (Socket late = connect()) {
            assertThrows(SocketException.class, () -> {
                late.getOutputStream().write(bytes("x"));
                late.getInputStream().read();
            });
        }
        assertEquals(0, relay.open());
        relay.pass();
        try (Socket again = connect()) {
            roundTrip(again, "again");
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), relay.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static void roundTrip(Socket client, String text) throws IOException {
        OutputStream out = client.getOutputStream();
        out.write(bytes(text));
        out.flush();
        byte[] back = client.getInputStream().readNBytes(text.length());
        assertEquals(text, new String(back, StandardCharsets.US_ASCII));
    }

    private static void echoUntilEof(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[8192];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // The relay reset the connection: the echo is done with it.
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}

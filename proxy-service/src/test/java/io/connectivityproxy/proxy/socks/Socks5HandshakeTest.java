package io.connectivityproxy.proxy.socks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.connectivityproxy.proxy.socks.Socks5Handshake.Connect;
import io.connectivityproxy.proxy.socks.Socks5Handshake.Fail;
import io.connectivityproxy.proxy.socks.Socks5Handshake.NeedMore;
import io.connectivityproxy.proxy.socks.Socks5Handshake.Reply;
import io.connectivityproxy.proxy.socks.Socks5Handshake.Step;

/**
 * The SOCKS5 handshake byte by byte: method selection (RFC 1928 section 3), SAP's method 0x80
 * (design.md section 3), the request (RFC 1928 section 4) and the reply (section 6).
 */
class Socks5HandshakeTest {

    static final String JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl";

    // ---- method selection (RFC 1928 section 3) ---------------------------------------------

    @Test
    void greetingOfferingNoAuthenticationSelectsIt() {
        assertReply("05 00", only(new Socks5Handshake(false).feed(hex("05 01 00"))));
    }

    @Test
    void methodSapIsPreferredWhenOffered() {
        assertReply("05 80", only(new Socks5Handshake(false).feed(hex("05 02 00 80"))));
        assertReply("05 80", only(new Socks5Handshake(false).feed(hex("05 03 02 80 00"))));
        assertReply("05 80", only(new Socks5Handshake(true).feed(hex("05 01 80"))));
    }

    @Test
    void withAuthorizationRequiredNoAuthenticationIsRefused() {
        assertFail("05 ff", only(new Socks5Handshake(true).feed(hex("05 01 00"))));
    }

    @Test
    void greetingWithoutMethodsIsRefused() {
        assertFail("05 ff", only(new Socks5Handshake(false).feed(hex("05 00"))));
    }

    @Test
    void greetingWithOnlyUnknownMethodsIsRefused() {
        // 0x02 is username/password (RFC 1929), which this proxy does not offer.
        assertFail("05 ff", only(new Socks5Handshake(false).feed(hex("05 02 02 01"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"04", "04 01 00 50 7f 00 00 01 00", "00", "ff 01 00", "47 45 54 20 2f"})
    void anotherVersionFailsWithoutAnswer(String input) {
        // SOCKS4 or HTTP has no SOCKS5 way to say no: the connection is just closed.
        assertFail("", only(new Socks5Handshake(false).feed(hex(input))));
    }

    // ---- SAP method 0x80 (design.md section 3) ---------------------------------------------

    @Test
    void sapAuthenticationCarriesTokenAndBase64LocationIntoTheConnect() {
        Socks5Handshake handshake = new Socks5Handshake(false);
        assertReply("05 80", only(handshake.feed(hex("05 01 80"))));
        byte[] auth = sapAuth(JWT, "second");
        // Exact layout: 01, u32 BE length, JWT, u8 length, base64(location).
        byte[] expected = concat(
                hex("01 00 00 00"), new byte[] {(byte) JWT.length()}, ascii(JWT), new byte[] {8}, ascii("c2Vjb25k"));
        assertArrayEquals(expected, auth);
        assertReply("01 00", only(handshake.feed(auth)));
        Connect connect = assertInstanceOf(Connect.class, only(handshake.feed(domainRequest("tcp-a", 8080))));
        assertEquals(new Connect("tcp-a", 8080, "second", JWT), connect);
    }

    @Test
    void sapAuthenticationWithEmptyLocationMeansTheDefaultLocation() {
        Socks5Handshake handshake = new Socks5Handshake(false);
        handshake.feed(hex("05 01 80"));
        assertReply("01 00", only(handshake.feed(sapAuth(JWT, ""))));
        assertEquals(new Connect("10.0.0.1", 389, "", JWT), only(handshake.feed(ipv4Request("10.0.0.1", 389))));
    }

    @Test
    void sapAuthenticationWithoutTokenGivesNoToken() {
        Socks5Handshake handshake = new Socks5Handshake(false);
        handshake.feed(hex("05 01 80"));
        assertReply("01 00", only(handshake.feed(sapAuth("", "loc-b"))));
        Connect connect = (Connect) only(handshake.feed(domainRequest("h", 1)));
        assertNull(connect.token());
        assertEquals("loc-b", connect.locationId());
    }

    @Test
    void tokenOfExactlyMaxTokenBytesIsAccepted() {
        Socks5Handshake handshake = new Socks5Handshake(false);
        handshake.feed(hex("05 01 80"));
        String token = "a".repeat(Socks5Handshake.MAX_TOKEN);
        assertReply("01 00", only(handshake.feed(sapAuth(token, "x"))));
        assertEquals(token, ((Connect) only(handshake.feed(domainRequest("h", 1)))).token());
    }

    @Test
    void badSubVersionIsRefused() {
        byte[] auth = sapAuth(JWT, "second");
        auth[0] = 0x02;
        assertFail("01 01", afterSapGreeting(auth));
        assertFail("01 01", afterSapGreeting(hex("05")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"00 00 40 01", "00 01 00 00", "7f ff ff ff", "80 00 00 00", "ff ff ff ff"})
    void oversizeTokenLengthIsRefusedBeforeTheTokenArrives(String length) {
        // Only the five header bytes: the handshake must not wait for (and buffer) the token.
        assertFail("01 01", afterSapGreeting(concat(hex("01"), hex(length))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"!!!!", "c2Vjb25k=", "c2V jb25k", "Y", "c2Vj-25k", "c2Vj_25k"})
    void invalidBase64LocationIsRefused(String encoded) {
        assertFail("01 01", afterSapGreeting(sapAuthRaw(JWT, ascii(encoded))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b", "../x", "loc/b", "caf\u00e9", "x\u0000"})
    void invalidLocationIdIsRefused(String location) {
        byte[] encoded = ascii(Base64.getEncoder().encodeToString(location.getBytes(StandardCharsets.UTF_8)));
        assertFail("01 01", afterSapGreeting(sapAuthRaw(JWT, encoded)));
    }

    @Test
    void locationIdLongerThanAnIdMayBeIsRefused() {
        assertFail("01 01", afterSapGreeting(sapAuth(JWT, "l".repeat(129))));
        Socks5Handshake handshake = new Socks5Handshake(false);
        handshake.feed(hex("05 01 80"));
        assertReply("01 00", only(handshake.feed(sapAuth(JWT, "l".repeat(128)))));
    }

    // ---- the request (RFC 1928 sections 4 and 5) -------------------------------------------

    @Test
    void connectToAnIpv4Address() {
        assertEquals(
                new Connect("192.168.10.200", 8080, "", null),
                afterNoAuthGreeting(hex("05 01 00 01 c0 a8 0a c8 1f 90")));
        assertEquals(
                new Connect("127.0.0.1", 65535, "", null), afterNoAuthGreeting(hex("05 01 00 01 7f 00 00 01 ff ff")));
    }

    @Test
    void connectToADomainName() {
        assertEquals(
                new Connect("backend.example-1.corp", 443, "", null),
                afterNoAuthGreeting(domainRequest("backend.example-1.corp", 443)));
        String longest = "h".repeat(255);
        assertEquals(new Connect(longest, 1, "", null), afterNoAuthGreeting(domainRequest(longest, 1)));
    }

    @Test
    void bindAndUdpAssociateAreNotSupported() {
        assertFail("05 07 00 01 00 00 00 00 00 00", afterNoAuthGreeting(hex("05 02 00 01 7f 00 00 01 1f 90")));
        assertFail("05 07 00 01 00 00 00 00 00 00", afterNoAuthGreeting(hex("05 03 00 01 00 00 00 00 00 00")));
        assertFail("05 07 00 01 00 00 00 00 00 00", afterNoAuthGreeting(hex("05 00 00 03")));
    }

    @Test
    void ipv6AndUnknownAddressTypesAreNotSupported() {
        assertFail(
                "05 08 00 01 00 00 00 00 00 00",
                afterNoAuthGreeting(hex("05 01 00 04 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 1f 90")));
        assertFail("05 08 00 01 00 00 00 00 00 00", afterNoAuthGreeting(hex("05 01 00 04")));
        assertFail("05 08 00 01 00 00 00 00 00 00", afterNoAuthGreeting(hex("05 01 00 02 7f 00 00 01 1f 90")));
        assertFail("05 08 00 01 00 00 00 00 00 00", afterNoAuthGreeting(hex("05 01 00 00")));
        assertFail("05 08 00 01 00 00 00 00 00 00", afterNoAuthGreeting(hex("05 01 00 ff")));
    }

    @Test
    void portZeroIsAGeneralFailure() {
        assertFail("05 01 00 01 00 00 00 00 00 00", afterNoAuthGreeting(hex("05 01 00 01 7f 00 00 01 00 00")));
        assertFail("05 01 00 01 00 00 00 00 00 00", afterNoAuthGreeting(domainRequest("tcp-a", 0)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bad host", "host:80", "a/b", "h\u0000", "\u00e9t\u00e9", "x@y"})
    void domainNamesWithCharactersNoHostHasAreAGeneralFailure(String host) {
        assertFail("05 01 00 01 00 00 00 00 00 00", afterNoAuthGreeting(domainRequest(host, 80)));
    }

    @Test
    void emptyDomainNameIsAGeneralFailure() {
        assertFail("05 01 00 01 00 00 00 00 00 00", afterNoAuthGreeting(hex("05 01 00 03 00 00 50")));
    }

    @Test
    void requestWithAnotherVersionFailsWithoutAnswer() {
        assertFail("", afterNoAuthGreeting(hex("04")));
        assertFail("", afterNoAuthGreeting(hex("04 01 00 01 7f 00 00 01 1f 90")));
    }

    @Test
    void replyLayoutIsVersionCodeReservedAndAnUndisclosedIpv4Address() {
        assertArrayEquals(hex("05 00 00 01 00 00 00 00 00 00"), Socks5Handshake.reply(Socks5Handshake.REPLY_SUCCEEDED));
        assertArrayEquals(
                hex("05 04 00 01 00 00 00 00 00 00"), Socks5Handshake.reply(Socks5Handshake.REPLY_HOST_UNREACHABLE));
        assertArrayEquals(
                hex("05 02 00 01 00 00 00 00 00 00"), Socks5Handshake.reply(Socks5Handshake.REPLY_NOT_ALLOWED));
    }

    // ---- framing: truncation, pipelining, what follows the request --------------------------

    /** A whole handshake as the messages a client sends, and the steps the server must take. */
    record Script(String name, boolean requireAuthorization, List<byte[]> messages, List<Step> steps) {}

    static List<Script> scripts() {
        return List.of(
                new Script(
                        "0x00 + IPv4",
                        false,
                        List.of(hex("05 01 00"), ipv4Request("10.1.2.3", 8080)),
                        List.of(new Reply(hex("05 00")), new Connect("10.1.2.3", 8080, "", null))),
                new Script(
                        "0x00 + domain",
                        false,
                        List.of(hex("05 02 01 00"), domainRequest("tcp-a", 8080)),
                        List.of(new Reply(hex("05 00")), new Connect("tcp-a", 8080, "", null))),
                new Script(
                        "0x80 + domain",
                        true,
                        List.of(hex("05 01 80"), sapAuth(JWT, "second"), domainRequest("ldap-server", 389)),
                        List.of(
                                new Reply(hex("05 80")),
                                new Reply(hex("01 00")),
                                new Connect("ldap-server", 389, "second", JWT))),
                new Script(
                        "0x80 default location + IPv4",
                        false,
                        List.of(hex("05 02 00 80"), sapAuth(JWT, ""), ipv4Request("172.16.0.9", 3300)),
                        List.of(
                                new Reply(hex("05 80")),
                                new Reply(hex("01 00")),
                                new Connect("172.16.0.9", 3300, "", JWT))));
    }

    @Test
    void everyMessageTruncatedAtEveryByteNeedsMoreThenCompletes() {
        for (Script script : scripts()) {
            for (int message = 0; message < script.messages().size(); message++) {
                byte[] bytes = script.messages().get(message);
                for (int cut = 0; cut < bytes.length; cut++) {
                    String where = script.name() + ", message " + message + " cut at " + cut;
                    Socks5Handshake handshake = new Socks5Handshake(script.requireAuthorization());
                    for (int before = 0; before < message; before++) {
                        assertStep(
                                script.steps().get(before),
                                only(handshake.feed(script.messages().get(before))),
                                where);
                    }
                    assertInstanceOf(NeedMore.class, only(handshake.feed(Arrays.copyOf(bytes, cut))), where);
                    assertStep(
                            script.steps().get(message),
                            only(handshake.feed(Arrays.copyOfRange(bytes, cut, bytes.length))),
                            where);
                }
            }
        }
    }

    @Test
    void oneByteAtATimeCompletesOnTheLastByteOfEachMessage() {
        for (Script script : scripts()) {
            Socks5Handshake handshake = new Socks5Handshake(script.requireAuthorization());
            for (int message = 0; message < script.messages().size(); message++) {
                byte[] bytes = script.messages().get(message);
                for (int i = 0; i < bytes.length; i++) {
                    Step step = only(handshake.feed(new byte[] {bytes[i]}));
                    String where = script.name() + ", message " + message + " byte " + i;
                    if (i < bytes.length - 1) {
                        assertInstanceOf(NeedMore.class, step, where);
                    } else {
                        assertStep(script.steps().get(message), step, where);
                    }
                }
            }
            assertEquals(0, handshake.remainder().length, script.name());
        }
    }

    @Test
    void theWholeHandshakeSplitAnywhereGivesTheSameSteps() {
        for (Script script : scripts()) {
            byte[] all = concat(script.messages().toArray(new byte[0][]));
            for (int cut = 0; cut <= all.length; cut++) {
                Socks5Handshake handshake = new Socks5Handshake(script.requireAuthorization());
                List<Step> steps = new ArrayList<>();
                steps.addAll(handshake.feed(Arrays.copyOf(all, cut)));
                if (cut < all.length) {
                    steps.addAll(handshake.feed(Arrays.copyOfRange(all, cut, all.length)));
                }
                steps.removeIf(NeedMore.class::isInstance);
                assertSteps(script.steps(), steps, script.name() + ", cut at " + cut);
            }
        }
    }

    @Test
    void pipelinedGreetingAndRequestInOneFeed() {
        for (Script script : scripts()) {
            byte[] all = concat(script.messages().toArray(new byte[0][]));
            assertSteps(script.steps(), new Socks5Handshake(script.requireAuthorization()).feed(all), script.name());
        }
    }

    @Test
    void bytesAfterTheRequestAreTheRemainder() {
        byte[] early = ascii("GET / HTTP/1.1\r\nHost: tcp-a\r\n\r\n");
        Socks5Handshake pipelined = new Socks5Handshake(false);
        List<Step> steps =
                pipelined.feed(concat(hex("05 01 80"), sapAuth(JWT, "second"), domainRequest("tcp-a", 80), early));
        assertInstanceOf(Connect.class, steps.get(steps.size() - 1));
        assertArrayEquals(early, pipelined.remainder());

        Socks5Handshake split = new Socks5Handshake(false);
        split.feed(hex("05 01 00"));
        byte[] request = domainRequest("tcp-a", 80);
        assertInstanceOf(NeedMore.class, only(split.feed(Arrays.copyOf(request, request.length - 1))));
        assertInstanceOf(Connect.class, only(split.feed(concat(new byte[] {request[request.length - 1]}, early))));
        assertArrayEquals(early, split.remainder());

        Socks5Handshake none = new Socks5Handshake(false);
        none.feed(concat(hex("05 01 00"), request));
        assertEquals(0, none.remainder().length);
    }

    @Test
    void afterAFailureFurtherBytesFail() {
        Socks5Handshake handshake = new Socks5Handshake(false);
        assertFail("05 ff", only(handshake.feed(hex("05 01 02"))));
        assertFail("", only(handshake.feed(hex("05 01 00"))));
    }

    @Test
    void bytesAfterTheFailingMessageDoNotProduceMoreSteps() {
        // A refused greeting followed by a request in the same read: one Fail, nothing else.
        List<Step> steps = new Socks5Handshake(true).feed(concat(hex("05 01 00"), domainRequest("tcp-a", 80)));
        assertEquals(1, steps.size(), steps.toString());
        assertFail("05 ff", steps.get(0));
    }

    // ---- helpers -----------------------------------------------------------------------------

    static Step afterNoAuthGreeting(byte[] request) {
        Socks5Handshake handshake = new Socks5Handshake(false);
        assertReply("05 00", only(handshake.feed(hex("05 01 00"))));
        return only(handshake.feed(request));
    }

    static Step afterSapGreeting(byte[] auth) {
        Socks5Handshake handshake = new Socks5Handshake(false);
        assertReply("05 80", only(handshake.feed(hex("05 01 80"))));
        return only(handshake.feed(auth));
    }

    static Step only(List<Step> steps) {
        assertEquals(1, steps.size(), "expected exactly one step: " + describe(steps));
        return steps.get(0);
    }

    static void assertReply(String expectedHex, Step step) {
        Reply reply = assertInstanceOf(Reply.class, step, () -> describe(List.of(step)));
        assertEquals(normal(expectedHex), HexFormat.of().formatHex(reply.bytes()));
    }

    static void assertFail(String expectedHex, Step step) {
        Fail fail = assertInstanceOf(Fail.class, step, () -> describe(List.of(step)));
        assertEquals(normal(expectedHex), HexFormat.of().formatHex(fail.bytes()), fail.reason());
        assertTrue(fail.reason() != null && !fail.reason().isBlank());
    }

    static void assertStep(Step expected, Step actual, String where) {
        assertEquals(describe(List.of(expected)), describe(List.of(actual)), where);
    }

    static void assertSteps(List<Step> expected, List<Step> actual, String where) {
        assertEquals(describe(expected), describe(actual), where);
    }

    /** Steps as text, with byte arrays as hex (records compare arrays by identity). */
    static String describe(List<Step> steps) {
        StringBuilder text = new StringBuilder();
        for (Step step : steps) {
            if (step instanceof Reply reply) {
                text.append("Reply(")
                        .append(HexFormat.of().formatHex(reply.bytes()))
                        .append(") ");
            } else if (step instanceof Fail fail) {
                text.append("Fail(")
                        .append(HexFormat.of().formatHex(fail.bytes()))
                        .append(") ");
            } else {
                text.append(step).append(' ');
            }
        }
        return text.toString().trim();
    }

    static byte[] sapAuth(String token, String location) {
        return sapAuthRaw(token, ascii(Base64.getEncoder().encodeToString(location.getBytes(StandardCharsets.UTF_8))));
    }

    static byte[] sapAuthRaw(String token, byte[] encodedLocation) {
        byte[] jwt = ascii(token);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Socks5Handshake.SAP_SUBVERSION);
        out.write(jwt.length >>> 24);
        out.write(jwt.length >>> 16);
        out.write(jwt.length >>> 8);
        out.write(jwt.length);
        out.writeBytes(jwt);
        out.write(encodedLocation.length);
        out.writeBytes(encodedLocation);
        return out.toByteArray();
    }

    static byte[] domainRequest(String host, int port) {
        byte[] name = host.getBytes(StandardCharsets.UTF_8);
        return concat(
                hex("05 01 00 03"), new byte[] {(byte) name.length}, name, new byte[] {(byte) (port >>> 8), (byte) port
                });
    }

    static byte[] ipv4Request(String address, int port) {
        String[] parts = address.split("\\.");
        byte[] out = new byte[10];
        out[0] = 5;
        out[1] = 1;
        out[3] = 1;
        for (int i = 0; i < 4; i++) {
            out[4 + i] = (byte) Integer.parseInt(parts[i]);
        }
        out[8] = (byte) (port >>> 8);
        out[9] = (byte) port;
        return out;
    }

    static byte[] hex(String text) {
        return HexFormat.of().parseHex(normal(text));
    }

    private static String normal(String hex) {
        return hex.replace(" ", "").toLowerCase();
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}

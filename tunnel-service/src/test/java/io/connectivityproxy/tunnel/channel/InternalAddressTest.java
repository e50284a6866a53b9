package io.connectivityproxy.tunnel.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code spec.internalAddress}: host (DNS name, IPv4, [IPv6]) and port 1..65535. */
class InternalAddressTest {

    @Test
    void dnsName() {
        assertEquals(
                new InternalAddress("ssh.tools.svc.cluster.local", 22),
                InternalAddress.parse("ssh.tools.svc.cluster.local:22"));
        assertEquals(new InternalAddress("DB-1", 65535), InternalAddress.parse("DB-1:65535"));
        assertEquals(new InternalAddress("a", 1), InternalAddress.parse("a:1"));
    }

    @Test
    void ipv4() {
        assertEquals(new InternalAddress("10.0.0.7", 3300), InternalAddress.parse("10.0.0.7:3300"));
        assertEquals(new InternalAddress("255.255.255.255", 80), InternalAddress.parse("255.255.255.255:80"));
    }

    @Test
    void ipv6InBrackets() {
        InternalAddress address = InternalAddress.parse("[fd00::1]:22");
        assertEquals(new InternalAddress("fd00::1", 22), address);
        assertEquals("[fd00::1]:22", address.text());
        assertEquals("::1", InternalAddress.parse("[::1]:8080").host());
        assertEquals(
                "::ffff:10.0.0.1", InternalAddress.parse("[::ffff:10.0.0.1]:1").host());
        assertEquals(
                "1:2:3:4:5:6:7:8", InternalAddress.parse("[1:2:3:4:5:6:7:8]:1").host());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "foo",
                "foo:",
                ":22",
                "host:0",
                "host:65536",
                "host:99999",
                "host:022",
                "host:+22",
                "host:2 2",
                "host:-1",
                "host: 22",
                " host:22",
                "ho_st:22",
                "-host:22",
                "host-:22",
                "host..x:22",
                "host.:22",
                "999.1.1.1:22",
                "1.2.3:22",
                "01.2.3.4:22",
                "1.2.3.4.5:22",
                "::1:22",
                "fd00::1:22",
                "[fd00::1]",
                "[fd00::1]22",
                "[fd00::1:22",
                "[]:22",
                "[::1::2]:22",
                "[1:2:3:4:5:6:7:8:9]:22",
                "[1:2:3:4:5:6:7]:22",
                "[fe80::1%eth0]:22",
                "[12345::1]:22",
                "[1.2.3.4::]:22",
                "[g::1]:22",
                "[host]:22",
                "host:22\n",
                "h\u00f6st:22",
                "host:\u0662\u0662"
            })
    void refused(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InternalAddress.parse(text));
        assertTrue(e.getMessage().startsWith("must be host:port"), e.getMessage());
    }

    @Test
    void aLabelOf63AndANameOf253AreTheLimits() {
        String label = "a".repeat(63);
        assertEquals(label, InternalAddress.parse(label + ":1").host());
        assertThrows(IllegalArgumentException.class, () -> InternalAddress.parse("a".repeat(64) + ":1"));
        String name = String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61));
        assertEquals(253, name.length());
        assertEquals(name, InternalAddress.parse(name + ":1").host());
        assertThrows(IllegalArgumentException.class, () -> InternalAddress.parse(name + "d:1"));
    }

    @Test
    void ipv6Forms() {
        assertTrue(InternalAddress.ipv6("::"));
        assertTrue(InternalAddress.ipv6("fe80::"));
        assertTrue(InternalAddress.ipv6("1::8"));
        assertTrue(InternalAddress.ipv6("1:2:3:4:5:6:1.2.3.4"));
        assertFalse(InternalAddress.ipv6("1:2:3:4:5:6:7:1.2.3.4"));
        assertFalse(InternalAddress.ipv6("1:2:3:4:5:6:7:8::"));
        assertFalse(InternalAddress.ipv6(":1:2:3:4:5:6:7"));
        assertFalse(InternalAddress.ipv6(""));
    }

    @Test
    void theMessageNamesWhatIsWrong() {
        assertEquals(
                "must be host:port; the port is missing",
                assertThrows(IllegalArgumentException.class, () -> InternalAddress.parse("foo"))
                        .getMessage());
        assertEquals(
                "must be host:port with a port between 1 and 65535",
                assertThrows(IllegalArgumentException.class, () -> InternalAddress.parse("foo:0"))
                        .getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> InternalAddress.parse("fd00::1:22"))
                .getMessage()
                .contains("[fd00::1]:22"));
    }
}

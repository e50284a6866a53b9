package io.connectivityproxy.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** The subaccount of a connector, from its certificate subject or from the gateway's XFCC header. */
class ClientIdentityTest {

    // ---- commonName (RFC 2253 distinguished names) ------------------------------------------

    @Test
    void oneCommonName() {
        assertEquals(Optional.of("sub-1"), ClientIdentity.commonName("CN=sub-1"));
        assertEquals(Optional.of("sub-1"), ClientIdentity.commonName("CN=sub-1,OU=connectors,O=Example,C=DE"));
        assertEquals(Optional.of("sub-1"), ClientIdentity.commonName("O=Example,cn=sub-1"));
    }

    @Test
    void escapedCommaIsPartOfTheValue() {
        assertEquals(Optional.of("Doe, John"), ClientIdentity.commonName("CN=Doe\\, John,O=Example"));
        assertEquals(Optional.of("a+b"), ClientIdentity.commonName("CN=a\\+b,O=x"));
    }

    @Test
    void noCommonName() {
        assertEquals(Optional.empty(), ClientIdentity.commonName("O=Example,C=DE"));
        assertEquals(Optional.empty(), ClientIdentity.commonName(""));
    }

    @Test
    void twoCommonNamesAreAmbiguous() {
        assertEquals(Optional.empty(), ClientIdentity.commonName("CN=sub-1,CN=sub-2,O=x"));
    }

    @Test
    void twoCommonNamesInOneMultiValuedRdnAreAmbiguous() {
        assertEquals(Optional.empty(), ClientIdentity.commonName("CN=sub-1+CN=sub-2,O=x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"not a dn", "CN", "=sub-1", "CN=a,,O=b", "CN=\"unterminated"})
    void garbageHasNoCommonName(String dn) {
        assertEquals(Optional.empty(), ClientIdentity.commonName(dn));
    }

    // ---- forwardedSubject (Envoy's X-Forwarded-Client-Cert) ---------------------------------

    @Test
    void subjectOfTheOnlyElement() {
        assertEquals(
                Optional.of("CN=abc,O=x"),
                ClientIdentity.forwardedSubject("By=spiffe://cluster.local/ns/kyma-system/sa/tunnel;"
                        + "Hash=468ed33be74eee6556d90c0149c1309e9ba61d6425303443c0748a02dd8de688;"
                        + "Subject=\"CN=abc,O=x\";URI=spiffe://cluster.local/ns/onprem/sa/connector"));
    }

    @Test
    void subjectOfTheLastElement() {
        assertEquals(
                Optional.of("CN=nearest,O=x"),
                ClientIdentity.forwardedSubject("By=spiffe://a;Hash=11;Subject=\"CN=client,O=x\";URI=spiffe://c,"
                        + "By=spiffe://b;Hash=22;Subject=\"CN=nearest,O=x\";URI=spiffe://d"));
    }

    @Test
    void quotedValuesMayHoldSemicolonsAndCommas() {
        assertEquals(
                Optional.of("CN=a;b,O=x,y"),
                ClientIdentity.forwardedSubject("Hash=1;Subject=\"CN=a;b,O=x,y\";URI=\"spiffe://c;d,e\""));
    }

    @Test
    void escapedQuotesInsideAQuotedValue() {
        assertEquals(
                Optional.of("CN=say \"hi\",O=x"),
                ClientIdentity.forwardedSubject("Hash=1;Subject=\"CN=say \\\"hi\\\",O=x\";URI=spiffe://c"));
    }

    @Test
    void unquotedSubjectAndKeyCase() {
        assertEquals(Optional.of("CN=abc"), ClientIdentity.forwardedSubject("Hash=1;subject=CN=abc"));
        assertEquals(Optional.of("CN=abc"), ClientIdentity.forwardedSubject(" Hash=1 ; Subject=\"CN=abc\" "));
    }

    @Test
    void unbalancedQuoteIsNoSubject() {
        assertEquals(Optional.empty(), ClientIdentity.forwardedSubject("Hash=1;Subject=\"CN=abc,O=x;URI=spiffe://c"));
    }

    @Test
    void missingSubjectIsNoSubject() {
        assertEquals(Optional.empty(), ClientIdentity.forwardedSubject("By=spiffe://b;Hash=22;URI=spiffe://d"));
        // Only the nearest proxy's element counts; an earlier hop's Subject is not ours to trust.
        assertEquals(
                Optional.empty(),
                ClientIdentity.forwardedSubject("Hash=11;Subject=\"CN=client\",By=spiffe://b;Hash=22;URI=spiffe://d"));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "\t"})
    void nullOrBlankIsNoSubject(String header) {
        assertEquals(Optional.empty(), ClientIdentity.forwardedSubject(header));
    }

    @Test
    void forwardedSubjectFeedsCommonName() {
        String header = "Hash=1;Subject=\"CN=sub-1,OU=connectors,O=Example\";URI=spiffe://c";
        assertEquals(
                Optional.of("sub-1"), ClientIdentity.forwardedSubject(header).flatMap(ClientIdentity::commonName));
    }
}

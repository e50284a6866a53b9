package io.connectivityproxy.connector.principal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import javax.security.auth.x500.X500Principal;

import org.junit.jupiter.api.Test;

/** Subject rules: patterns, conditions on ${user_type}, order, and values that cannot inject attributes. */
class SubjectRuleTest {

    private static final Principal ALICE = Principal.of(
            UserType.BUSINESS, Map.of("user_name", "alice", "email", "alice@example.com", "user_uuid", "9f3c-uuid"));
    private static final Principal ROBOT =
            Principal.of(UserType.TECHNICAL, Map.of("client_id", "sb-robot!b7", "sub", "robot-sub"));

    private static String subject(SubjectRules rules, Principal principal) {
        X500Principal subject = rules.subjectFor(principal);
        return subject == null ? null : subject.getName(X500Principal.RFC2253);
    }

    private static SubjectRules rules(SubjectRule... rules) {
        return new SubjectRules(List.of(rules));
    }

    @Test
    void defaultRuleIsCnOfName() {
        assertEquals("CN=alice", subject(SubjectRules.DEFAULT, ALICE));
        assertEquals("CN=sb-robot!b7", subject(SubjectRules.DEFAULT, ROBOT));
    }

    @Test
    void patternsKeepTheirAttributeOrder() {
        SubjectRules rules = rules(SubjectRule.parse("CN=${name}, OU=${user_type} users, O=ACME, C=DE", null));
        assertEquals("CN=alice,OU=Business users,O=ACME,C=DE", subject(rules, ALICE));
        assertEquals(
                "CN=alice,OU=Business users,O=ACME,C=DE",
                new X500Principal("CN=alice, OU=Business users, O=ACME, C=DE").getName(X500Principal.RFC2253));
        assertEquals(new X500Principal("CN=alice, OU=Business users, O=ACME, C=DE"), rules.subjectFor(ALICE));
    }

    @Test
    void variablesAndLiteralsMix() {
        SubjectRules rules = rules(SubjectRule.parse("CN=${email}, UID=${user_uuid}, OU=id-${login_name}", null));
        assertEquals("CN=alice@example.com,UID=9f3c-uuid,OU=id-alice", subject(rules, ALICE));
    }

    @Test
    void conditionsPickTheRuleByUserType() {
        SubjectRules rules = rules(
                SubjectRule.parse("CN=${name}, OU=people", UserType.BUSINESS),
                SubjectRule.parse("CN=${name}, OU=robots", UserType.TECHNICAL));
        assertEquals("CN=alice,OU=people", subject(rules, ALICE));
        assertEquals("CN=sb-robot!b7,OU=robots", subject(rules, ROBOT));
        assertNull(subject(rules(SubjectRule.parse("CN=${name}", UserType.BUSINESS)), ROBOT));
    }

    @Test
    void theFirstRuleThatAppliesWinsAndOneWithAMissingVariableIsSkipped() {
        SubjectRules rules = rules(
                SubjectRule.parse("CN=${display_name}", null),
                SubjectRule.parse("CN=${mail}", null),
                SubjectRule.parse("CN=${name}", null));
        assertEquals("CN=alice@example.com", subject(rules, ALICE));
        assertEquals("CN=sb-robot!b7", subject(rules, ROBOT));
        assertEquals(
                "CN=first",
                subject(rules(SubjectRule.parse("CN=first", null), SubjectRule.parse("CN=${name}", null)), ALICE));
        assertNull(subject(rules(SubjectRule.parse("CN=${display_name}", null)), ALICE));
    }

    @Test
    void valuesNeverBecomeAttributes() {
        Principal evil = Principal.of(UserType.BUSINESS, Map.of("user_name", "eve, O=Admins+CN=root"));
        X500Principal subject = SubjectRules.DEFAULT.subjectFor(evil);
        assertEquals("CN=eve\\, O\\=Admins\\+CN\\=root", subject.getName(X500Principal.RFC2253));
        assertEquals(1, subject.getName(X500Principal.RFC2253).split("(?<!\\\\),").length);
        Principal hash = Principal.of(UserType.BUSINESS, Map.of("user_name", "#0403616263"));
        assertEquals("CN=\\#0403616263", subject(SubjectRules.DEFAULT, hash));
    }

    @Test
    void unusableValuesMakeTheRuleNotApply() {
        assertNull(subject(SubjectRules.DEFAULT, Principal.of(UserType.BUSINESS, Map.of("user_name", "a\u0000b"))));
        assertNull(subject(
                SubjectRules.DEFAULT,
                Principal.of(UserType.BUSINESS, Map.of("user_name", "x".repeat(SubjectRule.MAX_VALUE_LENGTH + 1)))));
        assertEquals(
                "CN=" + "x".repeat(SubjectRule.MAX_VALUE_LENGTH),
                subject(
                        SubjectRules.DEFAULT,
                        Principal.of(
                                UserType.BUSINESS, Map.of("user_name", "x".repeat(SubjectRule.MAX_VALUE_LENGTH)))));
    }

    @Test
    void badPatternsAreRefusedWithAReason() {
        assertMessage("unknown variable ${nmae}", "CN=${nmae}");
        assertMessage("unknown attribute 'XX'", "XX=${name}");
        assertMessage("is not ATTRIBUTE=value", "${name}");
        assertMessage("has no value", "CN=");
        assertMessage("has a '$' that starts no ${variable}", "CN=$name");
        assertMessage("must be a distinguished name pattern", " ");
    }

    private static void assertMessage(String fragment, String pattern) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> SubjectRule.parse(pattern, null));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}

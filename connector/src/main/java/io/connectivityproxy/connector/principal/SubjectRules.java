package io.connectivityproxy.connector.principal;

import java.util.List;
import javax.security.auth.x500.X500Principal;

/** SAP's ordered subject rules: the first that applies to a user names its certificate's subject. */
public record SubjectRules(List<SubjectRule> rules) {

    /** SAP's default: {@code CN=${name}} for every user. */
    public static final SubjectRules DEFAULT = new SubjectRules(List.of(SubjectRule.parse("CN=${name}", null)));

    public SubjectRules {
        rules = List.copyOf(rules);
    }

    /** The subject of the first rule that applies, or null when none does. */
    public X500Principal subjectFor(Principal principal) {
        for (SubjectRule rule : rules) {
            X500Principal subject = rule.subjectFor(principal);
            if (subject != null) {
                return subject;
            }
        }
        return null;
    }
}

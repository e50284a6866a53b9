package io.connectivityproxy.operator.config;

import java.security.SecureRandom;
import java.time.Clock;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.connectivityproxy.operator.tls.CertificateIssuer;

/** The side effects the operator's pure parts take as parameters: time and randomness. */
public class OperatorBeans {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    CertificateIssuer certificateIssuer(Clock clock) {
        return new CertificateIssuer(clock, new SecureRandom());
    }
}

package io.connectivityproxy.connector.principal;

import java.nio.file.Path;

/**
 * An identity provider whose tokens the connector accepts: its {@code iss}, and where its
 * signing keys are: a JWKS URL (https://, with an optional CA file for that endpoint) or a key
 * file (a JWKS document, a PEM public key or a PEM certificate).
 */
public record TrustedIssuer(String issuer, String jwksUrl, Path keyFile, Path trustCa) {}

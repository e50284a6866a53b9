package io.connectivityproxy.operator.model;

/** Images of the two workloads and their pull policy (operator configuration). */
public record WorkloadImages(String proxyService, String tunnelService, String pullPolicy) {}

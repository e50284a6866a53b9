package io.connectivityproxy.operator.api;

/** {@code status.state}, with the meaning Kyma's lifecycle-manager gives these values. */
public enum State {
    /** Everything is installed and the workloads are ready. */
    Ready,
    /** Installing or waiting for something that is expected to come (a binding secret, pods). */
    Processing,
    /** Installed as far as possible, but a prerequisite needs the user's action (e.g. the istio module). */
    Warning,
    /** Nothing more can be done until the resource or the cluster changes (invalid spec, duplicate). */
    Error,
    /** The finalizer is removing what the operator created. */
    Deleting
}

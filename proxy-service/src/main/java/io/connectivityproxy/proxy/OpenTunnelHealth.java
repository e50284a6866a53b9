package io.connectivityproxy.proxy;

import io.connectivityproxy.protocol.Reason;

/**
 * SAP's {@code connectivity_proxy_open_tunnel_call_health_status}: 1 while opening streams
 * towards connectors works, 0 when the last {@value #RUN} opens all failed or at least
 * {@value #FAILURES} of the last {@value #WINDOW} did (60 %). Before {@value #RUN} opens there
 * is no run to judge, and missing opens count as successes in the window.
 *
 * <p>An open fails when no answer from a backend came through the tunnel: no connector session,
 * a timeout, a lost session, an unreachable backend, a refusing or broken peer. An answer of the
 * connector's access control list (no mapping, path or protocol not allowed) is the tunnel
 * working, and counts as a success; a client that left before the answer counts as nothing.
 */
final class OpenTunnelHealth {

    static final int WINDOW = 15;
    static final int RUN = 5;
    static final int FAILURES = 9;

    /** The outcomes of the last opens, oldest overwritten first. */
    private final boolean[] failed = new boolean[WINDOW];

    private int next;
    private int recorded;

    synchronized void succeeded() {
        add(false);
    }

    /** Records a failed open, or nothing when the reason says the tunnel itself was not at fault or not asked. */
    synchronized void failed(Reason reason) {
        switch (reason) {
            case CANCELLED -> {}
            case NO_MAPPING, PATH_NOT_ALLOWED, PROTOCOL_NOT_ALLOWED -> add(false);
            default -> add(true);
        }
    }

    /** 1 healthy, 0 not. */
    synchronized int status() {
        int failures = 0;
        int run = 0;
        boolean inRun = true;
        for (int i = 1; i <= Math.min(recorded, WINDOW); i++) {
            boolean failure = failed[Math.floorMod(next - i, WINDOW)];
            if (failure) {
                failures++;
            }
            if (inRun && failure) {
                run++;
            } else {
                inRun = false;
            }
        }
        return run >= RUN || failures >= FAILURES ? 0 : 1;
    }

    private void add(boolean failure) {
        failed[next] = failure;
        next = (next + 1) % WINDOW;
        recorded = Math.min(recorded + 1, WINDOW);
    }
}

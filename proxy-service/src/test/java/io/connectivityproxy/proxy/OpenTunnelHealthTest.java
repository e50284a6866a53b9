package io.connectivityproxy.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.connectivityproxy.protocol.Reason;

class OpenTunnelHealthTest {

    private final OpenTunnelHealth health = new OpenTunnelHealth();

    @Test
    void healthyBeforeAnyOpen() {
        assertEquals(1, health.status());
    }

    @Test
    void fiveFailuresInARowMakeItUnhealthyAndOneSuccessEndsTheRun() {
        for (int i = 0; i < 4; i++) {
            health.failed(Reason.TIMEOUT);
            assertEquals(1, health.status(), "after " + (i + 1) + " failures");
        }
        health.failed(Reason.BACKEND_UNREACHABLE);
        assertEquals(0, health.status());
        health.succeeded();
        assertEquals(1, health.status(), "5 of the last 15 failed, and the last one did not");
    }

    @Test
    void nineFailuresOfTheLastFifteenMakeItUnhealthyWithoutARunOfFive() {
        // F F F F S F F F F S F S S S S: the ninth failure is the eleventh open; never 5 in a row.
        String pattern = "FFFFSFFFFSFSSSS";
        for (int i = 0; i < pattern.length(); i++) {
            record(pattern.charAt(i));
            assertEquals(i < 10 ? 1 : 0, health.status(), "after " + pattern.substring(0, i + 1));
        }
        assertEquals(0, health.status(), "9 of 15");
        health.succeeded();
        assertEquals(1, health.status(), "the oldest failure left the window: 8 of 15");
    }

    @Test
    void eightFailuresOfFifteenAreNotEnough() {
        for (char outcome : "FFFFSFFFFSSSSSS".toCharArray()) {
            record(outcome);
        }
        assertEquals(1, health.status());
    }

    @Test
    void refusalsOfTheAccessControlListAreTheTunnelWorkingAndCancelsCountNothing() {
        for (int i = 0; i < 4; i++) {
            health.failed(Reason.NO_SESSION);
        }
        health.failed(Reason.CANCELLED);
        assertEquals(1, health.status(), "a cancel is not an outcome");
        health.failed(Reason.SESSION_LOST);
        assertEquals(0, health.status());
        health.failed(Reason.NO_MAPPING);
        assertEquals(1, health.status());
        for (Reason refusal : new Reason[] {Reason.PATH_NOT_ALLOWED, Reason.PROTOCOL_NOT_ALLOWED}) {
            OpenTunnelHealth fresh = new OpenTunnelHealth();
            for (int i = 0; i < 5; i++) {
                fresh.failed(Reason.TIMEOUT);
            }
            fresh.failed(refusal);
            assertEquals(1, fresh.status(), refusal.name());
        }
    }

    private void record(char outcome) {
        if (outcome == 'F') {
            health.failed(Reason.TIMEOUT);
        } else {
            health.succeeded();
        }
    }
}

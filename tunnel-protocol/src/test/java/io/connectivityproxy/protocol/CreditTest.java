package io.connectivityproxy.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Per-stream flow-control arithmetic: the sender's credit and the receiver's window. */
class CreditTest {

    // ---- SendCredit ------------------------------------------------------------------------

    @Test
    void sendCreditStartsAtTheGrantedWindowAndIsTakenInPieces() {
        SendCredit credit = new SendCredit(100);
        assertEquals(100, credit.available());
        assertEquals(30, credit.take(30));
        assertEquals(70, credit.available());
        assertEquals(70, credit.take(1000));
        assertEquals(0, credit.available());
        assertEquals(0, credit.take(1));
        assertEquals(0, credit.take(0));
    }

    @Test
    void zeroInitialWindowSendsNothingUntilAnUpdate() throws ProtocolException {
        SendCredit credit = new SendCredit(0);
        assertEquals(0, credit.take(10));
        credit.grant(4);
        assertEquals(4, credit.take(10));
    }

    @Test
    void grantsAddUpToTheLargestWindow() throws ProtocolException {
        SendCredit credit = new SendCredit(FrameCodec.MAX_WINDOW - 10);
        credit.grant(10);
        assertEquals(FrameCodec.MAX_WINDOW, credit.available());
        assertEquals(FrameCodec.MAX_WINDOW, credit.take(Integer.MAX_VALUE));
        credit.grant(FrameCodec.MAX_WINDOW);
        assertEquals(FrameCodec.MAX_WINDOW, credit.available());
    }

    @Test
    void grantBeyondTheLargestWindowIsTheSendersFlowControlError() throws ProtocolException {
        SendCredit credit = new SendCredit(FrameCodec.MAX_WINDOW);
        ProtocolException e = assertThrows(ProtocolException.class, () -> credit.grant(1));
        assertEquals("window increment 1 overflows the send window of 2147483647", e.getMessage());
        assertEquals(FrameCodec.MAX_WINDOW, credit.available());

        SendCredit half = new SendCredit(1 << 30);
        half.grant((1 << 30) - 1);
        // The sum would wrap an int; the long arithmetic must still see it as too large.
        assertThrows(ProtocolException.class, () -> half.grant(Integer.MAX_VALUE));
        assertThrows(ProtocolException.class, () -> half.grant(1));
        assertEquals(FrameCodec.MAX_WINDOW, half.available());
    }

    @Test
    void grantBelowOneIsRejected() {
        SendCredit credit = new SendCredit(5);
        assertThrows(ProtocolException.class, () -> credit.grant(0));
        assertThrows(ProtocolException.class, () -> credit.grant(-1));
        assertThrows(ProtocolException.class, () -> credit.grant(Integer.MIN_VALUE));
        assertEquals(5, credit.available());
    }

    @Test
    void sendCreditRejectsNegativeArguments() {
        assertThrows(IllegalArgumentException.class, () -> new SendCredit(-1));
        assertThrows(IllegalArgumentException.class, () -> new SendCredit(3).take(-1));
    }

    // ---- ReceiveCredit ---------------------------------------------------------------------

    @Test
    void receiveWindowMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new ReceiveCredit(0));
        assertThrows(IllegalArgumentException.class, () -> new ReceiveCredit(-1));
        assertEquals(7, new ReceiveCredit(7).window());
    }

    @Test
    void dataBeyondTheCreditIsAFlowControlError() throws ProtocolException {
        ReceiveCredit credit = new ReceiveCredit(100);
        credit.received(60);
        credit.received(40);
        ProtocolException e = assertThrows(ProtocolException.class, () -> credit.received(1));
        assertEquals("peer sent 1 bytes with only 0 bytes of credit", e.getMessage());
        credit.received(0);

        ReceiveCredit fresh = new ReceiveCredit(100);
        assertThrows(ProtocolException.class, () -> fresh.received(101));
        fresh.received(100);
    }

    @Test
    void updatesAreBatchedToHalfAWindow() throws ProtocolException {
        ReceiveCredit credit = new ReceiveCredit(100);
        credit.received(60);
        assertEquals(0, credit.consumed(20));
        assertEquals(0, credit.consumed(29));
        assertEquals(50, credit.consumed(1));
        // 40 left from the first grant plus the 50 just returned.
        credit.received(90);
        assertThrows(ProtocolException.class, () -> credit.received(1));
    }

    /**
     * When the receiver is the bottleneck the sender sits at zero credit. Returning each small
     * onward write at once would shrink every later DATA frame to that size; the receiver still
     * waits for half a window.
     */
    @Test
    void stalledSenderStillGetsHalfWindowUpdates() throws ProtocolException {
        ReceiveCredit credit = new ReceiveCredit(65536);
        credit.received(65536);
        for (int i = 0; i < 31; i++) {
            assertEquals(0, credit.consumed(1024), "write " + i);
        }
        assertEquals(32768, credit.consumed(1024));
    }

    @Test
    void consumingNothingReturnsNothing() throws ProtocolException {
        ReceiveCredit one = new ReceiveCredit(1);
        assertEquals(0, one.consumed(0));
        one.received(1);
        assertEquals(1, one.consumed(1));
        assertEquals(0, one.consumed(0));
    }

    @Test
    void consumingMoreThanWasReceivedIsTheCallersBug() throws ProtocolException {
        ReceiveCredit credit = new ReceiveCredit(100);
        assertThrows(IllegalArgumentException.class, () -> credit.consumed(1));
        credit.received(10);
        assertThrows(IllegalArgumentException.class, () -> credit.consumed(11));
        assertThrows(IllegalArgumentException.class, () -> credit.consumed(-1));
        assertThrows(IllegalArgumentException.class, () -> credit.received(-1));
        assertEquals(0, credit.consumed(10));
    }

    @Test
    void largestWindowDoesNotOverflow() throws ProtocolException {
        ReceiveCredit credit = new ReceiveCredit(FrameCodec.MAX_WINDOW);
        SendCredit sender = new SendCredit(FrameCodec.MAX_WINDOW);
        for (int round = 0; round < 3; round++) {
            int taken = sender.take(Integer.MAX_VALUE);
            credit.received(taken);
            int increment = credit.consumed(taken);
            assertEquals(taken, increment);
            sender.grant(increment);
            assertEquals(FrameCodec.MAX_WINDOW, sender.available());
        }
    }

    // ---- window growth ---------------------------------------------------------------------

    /** A sender that always has more to send, a reader that keeps up: the window doubles per update. */
    @Test
    void windowDoublesWhileItHoldsTheSenderBack() throws ProtocolException {
        WindowBudget budget = new WindowBudget(1 << 20);
        ReceiveCredit credit = new ReceiveCredit(1000, 8000, budget);
        SendCredit sender = new SendCredit(1000);
        int[] windows = new int[5];
        for (int round = 0; round < windows.length; round++) {
            int sent = sender.take(Integer.MAX_VALUE);
            credit.received(sent);
            int increment = credit.consumed(sent);
            sender.grant(increment);
            windows[round] = credit.window();
            assertEquals(credit.window(), sender.available(), "round " + round);
        }
        assertEquals("[2000, 4000, 8000, 8000, 8000]", java.util.Arrays.toString(windows));
        assertEquals((1 << 20) - 7000, budget.available());
        credit.release();
        credit.release();
        assertEquals(1 << 20, budget.available());
    }

    @Test
    void windowDoesNotGrowWhenTheReaderIsBehind() throws ProtocolException {
        ReceiveCredit credit = new ReceiveCredit(1000, 8000, new WindowBudget(1 << 20));
        credit.received(1000);
        // Half consumed, half still buffered here: the reader is the bottleneck, not the window.
        assertEquals(500, credit.consumed(500));
        assertEquals(1000, credit.window());
    }

    @Test
    void windowDoesNotGrowWhenTheSenderHasCreditLeft() throws ProtocolException {
        ReceiveCredit credit = new ReceiveCredit(1000, 8000, new WindowBudget(1 << 20));
        credit.received(600);
        assertEquals(600, credit.consumed(600));
        assertEquals(1000, credit.window());
    }

    @Test
    void windowGrowsOnlyAsFarAsTheBudgetAllows() throws ProtocolException {
        WindowBudget budget = new WindowBudget(1500);
        ReceiveCredit first = new ReceiveCredit(1000, 8000, budget);
        ReceiveCredit second = new ReceiveCredit(1000, 8000, budget);
        first.received(1000);
        assertEquals(2000, first.consumed(1000));
        assertEquals(2000, first.window());
        second.received(1000);
        assertEquals(1000, second.consumed(1000), "the 500 left are less than the 1000 a doubling needs");
        assertEquals(1000, second.window());
        first.release();
        second.received(1000);
        assertEquals(2000, second.consumed(1000));
        assertEquals(500, budget.available());
    }

    @Test
    void budgetRejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new WindowBudget(-1));
        assertThrows(IllegalArgumentException.class, () -> new ReceiveCredit(1000, 999, WindowBudget.NONE));
        WindowBudget budget = new WindowBudget(10);
        assertTrue(budget.reserve(10));
        assertTrue(!budget.reserve(1));
        budget.release(10);
        assertThrows(IllegalStateException.class, () -> budget.release(1));
    }

    /**
     * A sender and a receiver on one stream, driven by a seeded random schedule: the sender never
     * exceeds its credit, the receiver never buffers more than its window, every update is at
     * least half a window, no more credit comes back than was consumed plus the window's growth,
     * the window stays within its maximum and the budget, and the stream never stalls while the
     * receiver has consumed everything. Half the runs let the window grow.
     */
    @Test
    void senderAndReceiverAgreeUnderRandomSchedules() throws ProtocolException {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int run = 0; run < 400; run++) {
            int initial = 1 + random.nextInt(random.nextBoolean() ? 64 : 1 << 20);
            boolean grows = random.nextBoolean();
            int max = grows ? initial * (1 + random.nextInt(8)) : initial;
            long budgetBytes = grows ? random.nextInt(Math.max(1, max * 2)) : 0;
            WindowBudget budget = new WindowBudget(budgetBytes);
            String where = "seed " + seed + ", run " + run + ", window " + initial + " up to " + max;
            SendCredit sender = new SendCredit(initial);
            ReceiveCredit receiver = new ReceiveCredit(initial, max, budget);
            ArrayDeque<Integer> inFlight = new ArrayDeque<>();
            ArrayDeque<Integer> updates = new ArrayDeque<>();
            long buffered = 0;
            long consumedTotal = 0;
            long returnedTotal = 0;
            for (int step = 0; step < 2000; step++) {
                switch (random.nextInt(4)) {
                    case 0 -> {
                        int taken = sender.take(1 + random.nextInt(Math.max(1, receiver.window())));
                        if (taken > 0) {
                            inFlight.add(taken);
                        }
                    }
                    case 1 -> {
                        if (!inFlight.isEmpty()) {
                            int length = inFlight.poll();
                            receiver.received(length);
                            buffered += length;
                        }
                    }
                    case 2 -> {
                        int before = receiver.window();
                        int length = (int) Math.min(buffered, 1 + random.nextInt(Math.max(1, before / 3)));
                        buffered -= length;
                        consumedTotal += length;
                        int increment = receiver.consumed(length);
                        if (increment > 0) {
                            assertTrue(increment >= before / 2, where);
                            updates.add(increment);
                            returnedTotal += increment;
                        }
                    }
                    default -> {
                        if (!updates.isEmpty()) {
                            sender.grant(updates.poll());
                        }
                    }
                }
                int window = receiver.window();
                long growth = window - initial;
                assertTrue(window <= max, where);
                assertEquals(budgetBytes - growth, budget.available(), where);
                assertTrue(returnedTotal <= consumedTotal + growth, where);
                long pendingCredit =
                        updates.stream().mapToLong(Integer::longValue).sum();
                long inFlightBytes =
                        inFlight.stream().mapToLong(Integer::longValue).sum();
                assertTrue(buffered <= window, where);
                // Conservation: credit is with the sender, on the wire, buffered, or owed back.
                assertEquals(
                        window,
                        sender.available()
                                + inFlightBytes
                                + buffered
                                + (consumedTotal + growth - returnedTotal)
                                + pendingCredit,
                        where);
                if (buffered == 0 && inFlightBytes == 0 && updates.isEmpty()) {
                    assertTrue(sender.available() > 0, where + ": stalled at step " + step);
                }
            }
            receiver.release();
            assertEquals(budgetBytes, budget.available(), where);
        }
    }
}

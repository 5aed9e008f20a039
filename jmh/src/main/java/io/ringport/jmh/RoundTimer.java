package io.ringport.jmh;

import java.util.Arrays;

/**
 * Times one variant's turn in a probe that takes variants in turn (not a JMH benchmark): a warm-up, then batches of
 * numbered round trips, and the median batch's mean, which a moment's hiccup in one batch does not move.
 */
public final class RoundTimer
{
    /** Round trips before the timed batches. */
    public static final int WARM_UP = 20_000;
    /** Timed batches a turn. */
    public static final int BATCHES = 20;
    /** Round trips a batch. */
    public static final int BATCH = 5_000;
    /** Round trips a turn takes, warm-up included: what a caller's numbering moves on by. */
    public static final int ROUND_TRIPS = WARM_UP + BATCHES * BATCH;

    /** One round trip of the variant being timed. */
    @FunctionalInterface
    public interface RoundTrip
    {
        /**
         * @param sequence the round trip's number, one more than the last.
         */
        void run(long sequence);
    }

    private RoundTimer()
    {
    }

    /**
     * Time one turn.
     *
     * @param roundTrip what one round trip does.
     * @param last      the number of the round trip before the first of this turn: numbers go on from it, up to
     *                  {@code last + ROUND_TRIPS}.
     * @return the median batch's mean time per round trip, in nanoseconds.
     */
    public static double medianBatchMean(final RoundTrip roundTrip, final long last)
    {
        long sequence = last;
        for (int i = 0; i < WARM_UP; i++)
        {
            roundTrip.run(++sequence);
        }
        final double[] means = new double[BATCHES];
        for (int b = 0; b < BATCHES; b++)
        {
            final long start = System.nanoTime();
            for (int i = 0; i < BATCH; i++)
            {
                roundTrip.run(++sequence);
            }
            means[b] = (System.nanoTime() - start) / (double)BATCH;
        }
        Arrays.sort(means);
        return means[BATCHES / 2];
    }
}

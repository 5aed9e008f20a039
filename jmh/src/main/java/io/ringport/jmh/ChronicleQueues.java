package io.ringport.jmh;

import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

import java.nio.file.Path;

/**
 * How both ends open a Chronicle Queue. A queue keeps every message, so a benchmark at full speed would fill
 * {@code /dev/shm}: the queue rolls every second and the reading end deletes each cycle file it has finished.
 */
public final class ChronicleQueues
{
    private ChronicleQueues()
    {
    }

    /**
     * Open (or create) a queue.
     *
     * @param dir           the queue's directory.
     * @param readingEnd    true for the end that tails it: it deletes the cycle files it has released.
     * @return the queue.
     */
    public static SingleChronicleQueue open(final Path dir, final boolean readingEnd)
    {
        final StoreFileListener listener = readingEnd ? (cycle, file) -> file.delete() : StoreFileListener.noOp();
        return ChronicleQueue.singleBuilder(dir)
            .rollCycle(TestRollCycles.TEST_SECONDLY)
            .storeFileListener(listener)
            .build();
    }
}

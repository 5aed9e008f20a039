package io.ringport.it;

import io.ringport.client.Connection;
import io.ringport.client.Ringport;
import io.ringport.core.wait.Futex;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.ringport.it.CorruptRingTest.eventsInto;
import static io.ringport.it.LaunchOnDemandTest.TIMEOUT;
import static io.ringport.it.LaunchOnDemandTest.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A service's listener closed from another thread of the service while it sleeps on its doorbells: a real daemon, a
 * real service process, its listener asleep for far longer than the test waits.
 */
class ListenerCloseTest
{
    @Test
    void aCloseFromAnotherThreadWakesABlockingListenerAsleepForLongerThanTheTestWaits() throws Exception
    {
        // Without the futex a blocking listener parks 200 µs at a time and would see the close without a wake.
        assumeTrue(Futex.isAvailable(), "no futex doorbell here");
        final List<String> events = new CopyOnWriteArrayList<>();
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.sleeper",
                "environment.WAIT_STRATEGY = BLOCKING", "environment.MAX_SLEEP = PT10M")
                .start();
            Ringport ringport = daemon.open())
        {
            final Connection connection = ringport.connect("test.sleeper").setEventHandler(eventsInto(events));
            connection.requestSync(bytes("L"), TIMEOUT);
            // The test writes nothing more into the ring the listener reads: from here only a wake gets it up.
            daemon.awaitListenerAsleep("test.sleeper");

            Files.createFile(daemon.scratch.resolve("close-listener"));

            TestDaemon.await("the service's close of the connection", () ->
            {
                connection.poll(100);
                return !events.isEmpty();
            });
            assertEquals(1, events.size(), events.toString());
            assertTrue(events.get(0).startsWith("CLOSED"), events.toString());
        }
    }
}

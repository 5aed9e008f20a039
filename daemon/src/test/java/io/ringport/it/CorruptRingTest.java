package io.ringport.it;

import io.ringport.client.Connection;
import io.ringport.client.ConnectionEvent;
import io.ringport.client.EventHandler;
import io.ringport.client.Message;
import io.ringport.client.Ringport;
import io.ringport.core.ring.RingDescriptor;
import io.ringport.core.ring.RingFile;
import io.ringport.core.ring.RingKind;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.ringport.it.LaunchOnDemandTest.TIMEOUT;
import static io.ringport.it.LaunchOnDemandTest.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shared memory written by another process is untrusted: a corrupt record closes that one connection, and the
 * service and its other connections go on.
 */
class CorruptRingTest
{
    @Test
    void aCorruptRecordClosesOnlyItsConnection() throws Exception
    {
        final List<String> events = new CopyOnWriteArrayList<>();
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.victim").start();
            Ringport ringport = daemon.open())
        {
            final Connection victim = ringport.connect("test.victim").setEventHandler(new EventHandler()
            {
                public void onMessage(final Message message)
                {
                }

                public void onEvent(final ConnectionEvent event, final String reason)
                {
                    events.add(event + ": " + reason);
                }
            }).resume();
            victim.requestSync(bytes("Eup"), TIMEOUT);
            final String c2s = daemon.ringFiles().stream().filter(n -> n.startsWith("c2s-")).findFirst().orElseThrow();
            final long servicePid = daemon.service("test.victim").pid();

            final Connection bystander = ringport.connect("test.victim");
            bystander.requestSync(bytes("Eup"), TIMEOUT);

            try (RingFile ring = RingFile.map(daemon.home.resolve(c2s), RingKind.C2S, null))
            {
                final AtomicBuffer buffer = ring.ring();
                final int tailPositionIndex = ring.capacity() + RingDescriptor.TAIL_POSITION_OFFSET;
                final long tail = buffer.getLongVolatile(tailPositionIndex);
                final int tailIndex = (int)tail & (ring.capacity() - 1);
                buffer.putInt(tailIndex + RingDescriptor.TYPE_OFFSET, 1);
                buffer.putInt(tailIndex + RingDescriptor.LENGTH_OFFSET, 0x7FFF_0000);
                buffer.putLongRelease(tailPositionIndex, tail + RingDescriptor.ALIGNMENT * 2);
            }

            TestDaemon.await("the victim's connection is closed by the service", () -> !events.isEmpty());
            assertTrue(events.get(0).startsWith("CLOSED"), events.toString());
            assertEquals("still here", new String(bystander.requestSync(bytes("Estill here"), TIMEOUT).toByteArray()));
            assertEquals(servicePid, daemon.service("test.victim").pid(), "the service process keeps running");
            assertTrue(daemon.log().contains("does not fit the ring"), "the service says what and where");
        }
    }
}

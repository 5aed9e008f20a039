package io.ringport.it;

import io.ringport.client.Connection;
import io.ringport.client.Message;
import io.ringport.client.Ringport;
import io.ringport.core.control.ControlMessage.ServiceInfo;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LaunchOnDemandTest
{
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void connectIsLazyAndTheFirstMessageLaunchesTheService() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.lazy").start();
            Ringport ringport = daemon.open())
        {
            final Connection connection = ringport.connect("test.lazy");
            assertFalse(connection.isConnected());
            ServiceInfo info = daemon.service("test.lazy");
            assertEquals("IDLE", info.state());
            assertEquals(0, info.launches());

            final Message echo = connection.requestSync(bytes("Ehello"), TIMEOUT);
            assertEquals("hello", new String(echo.toByteArray()));

            info = daemon.running("test.lazy");
            assertEquals(1, info.launches());
            assertTrue(info.pid() > 0);
            assertEquals(1, info.connections());
        }
    }

    @Test
    void tenThousandMessagesSentBeforeTheServiceProcessStartsAreAllReceivedInOrder() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create())
        {
            final Path gate = daemon.scratch.resolve("gate");
            // The service's JVM is not even exec'd until the test opens the gate.
            daemon.defineTestService("test.gated",
                "command = /bin/sh -c 'while [ ! -e \"$1\" ]; do sleep 0.02; done; shift; exec \"$@\"' gate " + gate +
                    " ${JAVA} ${RINGPORT_JVM_OPTS} -XX:+UseSerialGC -cp ${RINGPORT_CLASSPATH} " +
                    TestService.class.getName()).start();

            try (Ringport ringport = daemon.open())
            {
                final Connection connection = ringport.connect("test.gated");
                final UnsafeBuffer message = new UnsafeBuffer(new byte[16]);
                for (long sequence = 1; sequence <= 10_000; sequence++)
                {
                    message.putLong(0, sequence);
                    assertTrue(connection.offer(message, 0, message.capacity()), "ring full at " + sequence);
                }

                final ServiceInfo waiting = daemon.service("test.gated");
                assertEquals("LAUNCHING", waiting.state(), "the service must not have checked in yet");
                final ProcessHandle launched = ProcessHandle.of(waiting.pid()).orElseThrow();
                assertFalse(Stream.concat(Stream.of(launched), launched.descendants())
                    .anyMatch(p -> p.info().command().orElse("").endsWith("/java")), "no service JVM may run yet");

                Files.createFile(gate);
                final Message counts = connection.requestSync(bytes("C"), TIMEOUT);
                assertEquals(10_000, counts.buffer().getLong(counts.offset()), "messages received");
                assertEquals(10_000, counts.buffer().getLong(counts.offset() + 8), "last in-order sequence");
                assertEquals(0, counts.buffer().getLong(counts.offset() + 16), "out of order");
                daemon.running("test.gated");
            }
        }
    }

    static UnsafeBuffer buffer(final String text)
    {
        return new UnsafeBuffer(text.getBytes());
    }

    static byte[] bytes(final String text)
    {
        return text.getBytes();
    }
}

package io.ringport.it;

import io.ringport.client.Connection;
import io.ringport.client.Ringport;
import org.agrona.concurrent.UnsafeBuffer;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A client process for the tests to kill: it connects to the service named in its first argument, sends as many
 * sequenced one-way messages as its second argument says, makes sure the service has them, prints {@code ready}, and
 * then waits to be killed.
 */
public final class TestClient
{
    private TestClient()
    {
    }

    /**
     * Entry point.
     *
     * @param args service name and message count.
     */
    public static void main(final String[] args)
    {
        final Ringport ringport = Ringport.open();
        final Connection connection = ringport.connect(args[0]);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[16]);
        for (long sequence = 1, count = Long.parseLong(args[1]); sequence <= count; sequence++)
        {
            message.putLong(0, sequence);
            connection.send(message, 0, message.capacity());
        }
        connection.requestSync("C".getBytes(), Duration.ofSeconds(60));
        System.out.println("ready");
        System.out.flush();
        while (true)
        {
            LockSupport.park();
        }
    }
}

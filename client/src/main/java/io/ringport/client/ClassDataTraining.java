package io.ringport.client;

import io.ringport.core.RingportEnvironment;
import io.ringport.core.message.MessageDescriptor;
import io.ringport.core.port.PortRecord;
import io.ringport.core.ring.RingFile;
import io.ringport.core.ring.RingKind;
import io.ringport.core.ring.RingWriter;
import io.ringport.core.wait.Futex;
import org.agrona.CloseHelper;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The main class of a class-data training run ({@link RingportEnvironment#CLASS_DATA_TRAINING_MAIN}). Before a
 * service's first launch the daemon runs the service's own JVM command with this class in place of the service's
 * main class, so that the class-data archive that JVM writes as it exits holds what a launched service loads on its
 * way to its first message, and the first launch finds an archive as every later one does.
 * <p>
 * It serves one request as a launched service does: {@link Ringport#open()} and {@link Ringport#checkIn()} on the
 * port the daemon made for it, a CONNECT on that port, the connection's rings, a request, the echo, the close. Its
 * {@code RINGPORT_HOME} is a directory of its own without a daemon, so it never talks to one (its check-in fails,
 * as with a daemon gone), and it writes only there. The service's main class, its argument, is loaded but not
 * initialised (none of the service's code runs), so that it and what its verification needs are archived too.
 * Exit status 0 when the echo came back.
 */
final class ClassDataTraining
{
    private static final int RING_CAPACITY = 64 * 1024;
    private static final int MAX_MESSAGE_LENGTH = 1024;
    private static final long CONNECTION_ID = 1;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);

    private ClassDataTraining()
    {
    }

    /**
     * Entry point.
     *
     * @param args the service's main class, or none.
     * @throws Exception when the rings cannot be made; the daemon then keeps no archive.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length > 0)
        {
            try
            {
                Class.forName(args[0], false, ClassDataTraining.class.getClassLoader());
            }
            catch (final ClassNotFoundException | LinkageError ex)
            {
                // Then the archive holds Ringport's classes only.
            }
        }
        final Path home = RingportEnvironment.home();
        final byte[] token = RingFile.newToken();
        final boolean echoed;
        RingFile c2s = null;
        RingFile s2c = null;
        RingFile port = null;
        Endpoint client = null;
        try (Ringport ringport = Ringport.open(); Listener listener = ringport.checkIn())
        {
            listener.onConnection(peer -> peer.setEventHandler(message -> peer.reply(
                message, message.buffer(), message.offset(), message.length())));
            c2s = RingFile.create(home, RingKind.C2S, RING_CAPACITY, MAX_MESSAGE_LENGTH, CONNECTION_ID, token);
            s2c = RingFile.create(home, RingKind.S2C, RING_CAPACITY, MAX_MESSAGE_LENGTH, CONNECTION_ID, token);
            port = RingFile.map(Path.of(System.getenv(RingportEnvironment.PORT)), RingKind.PORT, null);
            final PortRecord.Connect connect = new PortRecord.Connect(CONNECTION_ID, ProcessHandle.current().pid(),
                0, 0, token, c2s.path().toString(), s2c.path().toString());
            final RingWriter connects = new RingWriter(port.ring(), port.path().toString());
            connect.encode(connects.buffer(), connects.tryClaim(connect.typeId(), connect.encodedLength()));
            connects.commit();

            final boolean[] replied = new boolean[1];
            client = Endpoint.map(CONNECTION_ID, "training", c2s.path().toString(), s2c.path().toString(), token,
                true, new Endpoint.Sink()
                {
                    public void onMessage(final Message message)
                    {
                        replied[0] = message.isReply();
                    }

                    public void onPeerClosed()
                    {
                    }
                });
            client.offer(MessageDescriptor.KIND_REQUEST, 1, new byte[] {'t', 'r', 'a', 'i', 'n'}, 0, 5);
            final long deadline = System.nanoTime() + TIMEOUT_NS;
            while (!replied[0] && System.nanoTime() - deadline < 0)
            {
                listener.doWork();
                client.poll(16);
                Thread.onSpinWait();
            }
            echoed = replied[0];
            // A service with the BLOCKING wait strategy loads the doorbell's system calls at its first idle.
            Futex.isAvailable();
            client.writeClose();
        }
        finally
        {
            if (null != client)
            {
                client.detachRx();
                client.unmapTx();
            }
            CloseHelper.quietCloseAll(port, s2c, c2s);
        }
        System.exit(echoed ? 0 : 1);
    }
}

package io.ringport.client;

import io.ringport.core.RingportEnvironment;
import io.ringport.core.control.ControlCodec;
import io.ringport.core.control.ControlFrame;
import io.ringport.core.control.ControlMessage;
import io.ringport.core.control.ControlProtocol;
import io.ringport.core.control.FrameReader;
import io.ringport.core.message.MessageDescriptor;
import io.ringport.core.port.PortRecord;
import io.ringport.core.ring.RingFile;
import io.ringport.core.ring.RingKind;
import io.ringport.core.ring.RingWriter;
import io.ringport.core.wait.Futex;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The main class of a class-data training run ({@link RingportEnvironment#CLASS_DATA_TRAINING_MAIN}). Before a
 * service's first launch the daemon runs the service's own JVM command with this class in place of the service's
 * main class, so that the class-data archive that JVM writes as it exits holds what a launched service loads on its
 * way to its first message, and the first launch finds an archive as every later one does.
 * <p>
 * It serves one request as a launched service does: {@link Ringport#open()} and {@link Ringport#checkIn()} on the
 * port the daemon made for it, a CONNECT on that port, the connection's rings, a request, the echo, the close. Its
 * {@code RINGPORT_HOME} is a directory of its own, where a stand-in for the daemon on a thread of this process
 * answers the session's HELLO and CHECK_IN, so the session's classes are archived too; it writes only there. The
 * service's main class, its argument, the classes it names from its own class-path entry and all of Ringport's client
 * and core classes are loaded but not initialised (none of the service's code runs; {@link TrainingClasses}), so that
 * they are archived too. Exit status 0 when the echo came back and the check-in was answered.
 */
final class ClassDataTraining
{
    private static final int RING_CAPACITY = 64 * 1024;
    private static final int MAX_MESSAGE_LENGTH = 1024;
    private static final long CONNECTION_ID = 1;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);
    private static final long PAUSE_NS = TimeUnit.MICROSECONDS.toNanos(100);

    private ClassDataTraining()
    {
    }

    /**
     * Entry point.
     *
     * @param args the service's main class, or none.
     */
    public static void main(final String[] args)
    {
        boolean trained = false;
        try
        {
            trained = train(args);
        }
        catch (final Exception | LinkageError ex)
        {
            System.err.println("ringport: class-data training failed: " + ex);
        }
        finally
        {
            // Also past a thread of the service's options that would keep the JVM up; the daemon keeps the archive
            // only after status 0.
            System.exit(trained ? 0 : 1);
        }
    }

    private static boolean train(final String[] args) throws Exception
    {
        // Loaded, not initialised: none of the service's code runs (TrainingClasses says which and why).
        final ClassLoader loader = ClassDataTraining.class.getClassLoader();
        TrainingClasses.loadRingport(loader);
        if (args.length > 0)
        {
            TrainingClasses.loadService(args[0], loader);
        }
        final Path home = RingportEnvironment.home();
        final byte[] token = RingFile.newToken();
        final boolean echoed;
        final StandIn daemon = new StandIn(home.resolve(ControlProtocol.SOCKET_NAME),
            System.getenv(RingportEnvironment.PORT));
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

                    public void onPeerClosed(final Endpoint endpoint)
                    {
                    }
                });
            client.offer(MessageDescriptor.KIND_REQUEST, 1, new byte[] {'t', 'r', 'a', 'i', 'n'}, 0, 5);
            final long deadline = System.nanoTime() + TIMEOUT_NS;
            while ((!replied[0] || !daemon.checkedIn) && System.nanoTime() - deadline < 0)
            {
                if (0 == listener.doWork() + client.poll(16))
                {
                    LockSupport.parkNanos(PAUSE_NS);
                }
            }
            echoed = replied[0] && daemon.checkedIn;
            // A service with the BLOCKING wait strategy loads the doorbell's system calls at its first idle.
            if (Futex.isAvailable())
            {
                new Futex.WaitList().clear();
            }
            client.writeClose();
        }
        finally
        {
            if (null != client)
            {
                client.detachRx();
                client.unmapTx();
            }
            CloseHelper.quietCloseAll(port, s2c, c2s, daemon);
        }
        return echoed;
    }

    /** Answers one session as the daemon would, for HELLO and CHECK_IN; nothing else is asked of it here. */
    private static final class StandIn implements AutoCloseable
    {
        private final ServerSocketChannel server;
        private volatile boolean checkedIn;

        StandIn(final Path socket, final String portPath) throws IOException
        {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            final Thread thread = new Thread(() -> serve(portPath), "ringport-training-daemon");
            thread.setDaemon(true);
            thread.start();
        }

        private void serve(final String portPath)
        {
            try (SocketChannel session = server.accept())
            {
                final FrameReader reader = new FrameReader();
                ControlFrame frame;
                while (null != (frame = reader.readBlocking(session)))
                {
                    final ControlMessage answer;
                    if (frame.message() instanceof ControlMessage.Hello)
                    {
                        answer = new ControlMessage.HelloOk(ProcessHandle.current().pid());
                    }
                    else if (frame.message() instanceof ControlMessage.CheckIn)
                    {
                        answer = new ControlMessage.CheckedIn(portPath);
                    }
                    else
                    {
                        continue;
                    }
                    final ByteBuffer bytes = ControlCodec.encode(frame.requestId(), answer);
                    while (bytes.hasRemaining())
                    {
                        session.write(bytes);
                    }
                    checkedIn |= answer instanceof ControlMessage.CheckedIn;
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                // The session closed: training is over.
            }
        }

        public void close() throws IOException
        {
            server.close();
        }
    }
}

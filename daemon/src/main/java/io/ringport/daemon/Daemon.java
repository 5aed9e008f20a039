package io.ringport.daemon;

import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import io.ringport.core.ServiceNames;
import io.ringport.core.control.ControlFrame;
import io.ringport.core.control.ControlMessage;
import io.ringport.core.control.ControlMessage.*;
import io.ringport.core.control.ControlProtocol;
import io.ringport.core.port.PortRecord;
import io.ringport.core.ring.RingFile;
import io.ringport.core.ring.RingKind;
import io.ringport.daemon.definition.DefinitionException;
import io.ringport.daemon.definition.DefinitionParser;
import io.ringport.daemon.definition.LoadResult;
import io.ringport.daemon.definition.ServiceDefinition;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * ringportd, the bootstrap daemon: owns the service namespace and its port rings, hands out connection
 * capabilities, launches services on their first connection and tells clients when an instance dies.
 * <p>
 * All state lives on one thread, the one that calls {@link #run()}; process exits arrive through a queue.
 */
public final class Daemon implements AutoCloseable
{
    private static final long TICK_MS = 50;

    private final DaemonContext ctx;
    private final Map<String, ServiceEntry> services = new TreeMap<>();
    private final Map<Long, ConnectionEntry> connections = new HashMap<>();
    private final List<Session> sessions = new ArrayList<>();
    private final Queue<Runnable> events = new ConcurrentLinkedQueue<>();
    private final Path socketPath;
    private Selector selector;
    private ServerSocketChannel server;
    private long nextConnectionId = 1;
    private long nextSessionId = 1;
    private volatile boolean running;
    private boolean closed;

    /**
     * A daemon for a concluded context; {@link #start()} brings it up.
     *
     * @param ctx configuration.
     */
    public Daemon(final DaemonContext ctx)
    {
        this.ctx = ctx.conclude();
        this.socketPath = ctx.home().resolve(ControlProtocol.SOCKET_NAME);
    }

    /**
     * Prepare the home, sweep what dead daemons left, load the services and listen on the socket.
     *
     * @return this.
     * @throws IOException       when the home or socket cannot be set up.
     * @throws RingportException ({@link ErrorCode#BAD_REQUEST}) when another daemon already serves the home.
     */
    public Daemon start() throws IOException
    {
        prepareHome();
        loadServices();
        selector = Selector.open();
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        // Bind under a private name, then rename: the socket path appears only once it is listening.
        final Path binding = socketPath.resolveSibling(ControlProtocol.SOCKET_NAME + "." + ProcessHandle.current().pid());
        Files.deleteIfExists(binding);
        server.bind(UnixDomainSocketAddress.of(binding));
        Files.setPosixFilePermissions(binding, PosixFilePermissions.fromString("rw-------"));
        Files.move(binding, socketPath, StandardCopyOption.ATOMIC_MOVE);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        running = true;
        ctx.log("listening on " + socketPath + " (pid " + ProcessHandle.current().pid() + ", " + services.size() +
            " services from " + ctx.servicesDir() + ")");
        for (final ServiceEntry entry : services.values())
        {
            if (entry.definition.runAtLoad())
            {
                launch(entry);
            }
        }
        return this;
    }

    /**
     * Serve until a SHUTDOWN request or {@link #stop()}, then stop services and remove the daemon's files.
     */
    public void run()
    {
        try
        {
            while (running)
            {
                selector.select(TICK_MS);
                for (final SelectionKey key : selector.selectedKeys())
                {
                    onReady(key);
                }
                selector.selectedKeys().clear();
                Runnable event;
                while (null != (event = events.poll()))
                {
                    event.run();
                }
                checkDeadlines();
            }
        }
        catch (final IOException ex)
        {
            ctx.log("selector failed: " + ex);
        }
        finally
        {
            close();
        }
    }

    /**
     * Ask a running daemon to shut down from another thread.
     */
    public void stop()
    {
        running = false;
        if (null != selector)
        {
            selector.wakeup();
        }
    }

    /**
     * Where the daemon listens.
     *
     * @return the path of {@code bootstrap.sock}.
     */
    public Path socketPath()
    {
        return socketPath;
    }

    private void prepareHome() throws IOException
    {
        final Path home = ctx.home();
        if (!Files.isDirectory(home))
        {
            Files.createDirectories(home, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));

        if (Files.exists(socketPath))
        {
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socketPath)))
            {
                throw new RingportException(ErrorCode.BAD_REQUEST, "a daemon is already serving " + home +
                    " (socket " + socketPath + " answers); stop it with 'ringport shutdown'");
            }
            catch (final IOException ex)
            {
                ctx.log("removing stale socket " + socketPath);
                Files.deleteIfExists(socketPath);
            }
        }

        try (DirectoryStream<Path> files = Files.newDirectoryStream(home, "*" + RingFile.SUFFIX))
        {
            for (final Path file : files)
            {
                final long owner = RingFile.readOwnerPid(file);
                if (owner <= 0 || ProcessHandle.of(owner).map(p -> !p.isAlive()).orElse(true))
                {
                    ctx.log("sweeping " + file.getFileName() + " left by dead process " + owner);
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private void loadServices() throws IOException
    {
        final LoadResult result = DefinitionParser.loadDirectory(ctx.servicesDir());
        for (final DefinitionException error : result.errors())
        {
            ctx.log("refused " + error.getMessage());
        }
        for (final ServiceDefinition definition : result.definitions())
        {
            final PortWriter port = new PortWriter(ctx.home(), definition.portCapacity(), definition.maxMessageLength());
            services.put(definition.name(), new ServiceEntry(definition, port));
            ctx.log("registered '" + definition.name() + "' from " + definition.file());
        }
    }

    private void onReady(final SelectionKey key)
    {
        if (!key.isValid())
        {
            return;
        }
        if (key.isAcceptable())
        {
            accept();
            return;
        }
        final Session session = (Session)key.attachment();
        try
        {
            if (key.isWritable())
            {
                session.flush();
            }
            if (key.isReadable())
            {
                ControlFrame frame;
                while (!session.closed && null != (frame = session.reader.read(session.channel)))
                {
                    onFrame(session, frame);
                }
            }
        }
        catch (final EOFException ex)
        {
            closeSession(session, null);
        }
        catch (final RingportException ex)
        {
            closeSession(session, ex.getMessage());
        }
        catch (final IOException ex)
        {
            closeSession(session, ex.toString());
        }
    }

    private void accept()
    {
        try
        {
            final SocketChannel channel = server.accept();
            if (null == channel)
            {
                return;
            }
            channel.configureBlocking(false);
            final SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
            final Session session = new Session(nextSessionId++, channel, key);
            key.attach(session);
            sessions.add(session);
        }
        catch (final IOException ex)
        {
            ctx.log("accept failed: " + ex);
        }
    }

    private void onFrame(final Session session, final ControlFrame frame) throws IOException
    {
        final long requestId = frame.requestId();
        final ControlMessage message = frame.message();
        if (null == session.credentials)
        {
            if (!(message instanceof Hello hello))
            {
                throw new RingportException(ErrorCode.PROTOCOL_VIOLATION, "first frame must be HELLO, was " +
                    message.getClass().getSimpleName());
            }
            session.credentials = PeerCredentials.verify(session.channel, hello.pid());
            session.send(requestId, new HelloOk(ProcessHandle.current().pid()));
            return;
        }
        try
        {
            if (message instanceof Connect connect)
            {
                session.send(requestId, onConnect(session, connect.service()));
            }
            else if (message instanceof CheckIn checkIn)
            {
                session.send(requestId, onCheckIn(session, checkIn));
            }
            else if (message instanceof Release release)
            {
                onRelease(session, release.connectionId());
                session.send(requestId, new Ok());
            }
            else if (message instanceof ListServices)
            {
                session.send(requestId, list());
            }
            else if (message instanceof Shutdown)
            {
                ctx.log("shutdown requested by " + session.describe());
                session.send(requestId, new Ok());
                running = false;
            }
            else
            {
                throw new RingportException(ErrorCode.PROTOCOL_VIOLATION, "unexpected " +
                    message.getClass().getSimpleName() + " from a client");
            }
        }
        catch (final RingportException ex)
        {
            if (ErrorCode.PROTOCOL_VIOLATION == ex.code())
            {
                throw ex;
            }
            session.send(requestId, new ControlMessage.Error(ex.code().wireCode(), ex.getMessage()));
        }
    }

    private ServiceEntry lookUp(final String name)
    {
        final String problem = ServiceNames.problem(name);
        if (null != problem)
        {
            throw new RingportException(ErrorCode.BAD_REQUEST, problem);
        }
        final ServiceEntry entry = services.get(name);
        if (null == entry)
        {
            throw new RingportException(ErrorCode.UNKNOWN_SERVICE, "service '" + name + "' is not registered (known: " +
                String.join(", ", services.keySet()) + ")");
        }
        return entry;
    }

    private ControlMessage onConnect(final Session session, final String name) throws IOException
    {
        final ServiceEntry entry = lookUp(name);
        final ServiceDefinition definition = entry.definition;
        final PeerCredentials who = session.credentials;
        final boolean open = definition.allowUsers().isEmpty() && definition.allowGroups().isEmpty();
        if (!open && !definition.allowUsers().contains(who.user()) && !definition.allowGroups().contains(who.group()))
        {
            throw new RingportException(ErrorCode.DENIED, "service '" + name + "' does not allow user '" + who.user() +
                "' (group '" + who.group() + "')");
        }

        final long connectionId = nextConnectionId++;
        final byte[] token = RingFile.newToken();
        final Path home = ctx.home();
        final int maxMessageLength = definition.maxMessageLength();
        final Path c2s;
        final Path s2c;
        try (RingFile c2sFile = RingFile.create(home, RingKind.C2S, definition.c2sCapacity(), maxMessageLength,
            connectionId, token))
        {
            c2s = c2sFile.path();
        }
        try (RingFile s2cFile = RingFile.create(home, RingKind.S2C, definition.s2cCapacity(), maxMessageLength,
            connectionId, token))
        {
            s2c = s2cFile.path();
        }
        catch (final IOException ex)
        {
            Files.deleteIfExists(c2s);
            throw ex;
        }

        final long position = entry.port.append(new PortRecord.Connect(
            connectionId, who.pid(), who.uid(), who.gid(), token, c2s.toString(), s2c.toString()));
        if (position < 0)
        {
            Files.deleteIfExists(c2s);
            Files.deleteIfExists(s2c);
            throw new RingportException(ErrorCode.BACK_PRESSURE, "port of service '" + name + "' is full (" +
                entry.connections.size() + " connections); try again when the service has caught up");
        }

        final ConnectionEntry connection = new ConnectionEntry(connectionId, entry, session, c2s, s2c, position);
        connections.put(connectionId, connection);
        entry.connections.put(connectionId, connection);
        session.connections.add(connection);

        if (!entry.hasInstance())
        {
            launchOrThrottle(entry);
            if (ServiceState.FAILED == entry.state)
            {
                // The start failed at once (exec failed): the caller hears it as the answer, with the reason.
                throw new RingportException(ErrorCode.SERVICE_FAILED, "service '" + name + "' failed to start: " +
                    entry.lastFailure);
            }
        }
        return new Connected(connectionId, c2s.toString(), s2c.toString(), token, maxMessageLength);
    }

    private ControlMessage onCheckIn(final Session session, final CheckIn checkIn)
    {
        final ServiceEntry entry = lookUp(checkIn.service());
        final String name = entry.name();
        if (null != session.checkedIn)
        {
            throw refused(name, "this session already checked in as '" + session.checkedIn.name() + "'");
        }
        if (ServiceState.LAUNCHING != entry.state || null == entry.checkInToken)
        {
            throw refused(name, ServiceState.RUNNING == entry.state ?
                "it is already checked in by pid " + entry.pid() : "no launch of it is waiting for a check-in");
        }
        if (!MessageDigest.isEqual(entry.checkInToken.getBytes(UTF_8), checkIn.token().getBytes(UTF_8)))
        {
            throw refused(name, "the check-in token is not the one it was launched with");
        }
        if (!isSameOrDescendant(session.credentials.pid(), entry.process.pid()))
        {
            throw refused(name, "pid " + session.credentials.pid() + " is not the launched process " +
                entry.process.pid() + " or one of its children");
        }
        entry.checkInToken = null;
        entry.state = ServiceState.RUNNING;
        entry.session = session;
        session.checkedIn = entry;
        ctx.log("'" + name + "' checked in (pid " + session.credentials.pid() + ", " + entry.connections.size() +
            " connections waiting)");
        return new CheckedIn(entry.port.path().toString());
    }

    private static RingportException refused(final String name, final String reason)
    {
        return new RingportException(ErrorCode.CHECK_IN_REFUSED, "check-in for '" + name + "' refused: " + reason);
    }

    private static boolean isSameOrDescendant(final long pid, final long ancestor)
    {
        ProcessHandle handle = ProcessHandle.of(pid).orElse(null);
        while (null != handle)
        {
            if (handle.pid() == ancestor)
            {
                return true;
            }
            handle = handle.parent().orElse(null);
        }
        return false;
    }

    private void onRelease(final Session session, final long connectionId) throws IOException
    {
        final ConnectionEntry connection = connections.get(connectionId);
        if (null == connection)
        {
            return;
        }
        if (connection.client == session)
        {
            releaseClientSide(connection);
        }
        else if (session.checkedIn == connection.service)
        {
            connection.serviceReleased = true;
            removeIfReleased(connection);
        }
        else
        {
            throw new RingportException(ErrorCode.BAD_REQUEST, "connection " + connectionId +
                " does not belong to " + session.describe());
        }
    }

    private void releaseClientSide(final ConnectionEntry connection) throws IOException
    {
        connection.clientReleased = true;
        connection.client.connections.remove(connection);
        if (!connection.serviceReleased)
        {
            // The service drains what the client sent, then closes; a full port only delays that until the
            // client's CLOSE record or the instance's exit.
            connection.service.port.append(new PortRecord.Disconnect(connection.id));
        }
        removeIfReleased(connection);
    }

    private void removeIfReleased(final ConnectionEntry connection) throws IOException
    {
        if (connection.clientReleased && connection.serviceReleased)
        {
            connections.remove(connection.id);
            connection.service.connections.remove(connection.id);
            Files.deleteIfExists(connection.c2sPath);
            Files.deleteIfExists(connection.s2cPath);
        }
    }

    private ServiceList list()
    {
        final List<ServiceInfo> infos = new ArrayList<>(services.size());
        for (final ServiceEntry entry : services.values())
        {
            infos.add(new ServiceInfo(entry.name(), entry.state.name(), entry.pid(), entry.launches,
                entry.connections.size()));
        }
        return new ServiceList(infos);
    }

    private void launchOrThrottle(final ServiceEntry entry)
    {
        if (ServiceState.THROTTLED == entry.state)
        {
            return;
        }
        final long throttleNs = entry.definition.throttleInterval().toNanos();
        final long earliest = entry.lastLaunchNs + throttleNs;
        if (entry.launches > 0 && System.nanoTime() - earliest < 0)
        {
            entry.state = ServiceState.THROTTLED;
            entry.deadlineNs = earliest;
            ctx.log("'" + entry.name() + "' throttled: next launch in " +
                TimeUnit.NANOSECONDS.toMillis(earliest - System.nanoTime()) + " ms (throttleInterval " +
                entry.definition.throttleInterval() + ")");
            return;
        }
        launch(entry);
    }

    private void launch(final ServiceEntry entry)
    {
        final ServiceDefinition definition = entry.definition;
        final String token = HexFormat.of().formatHex(RingFile.newToken());
        final List<String> command;
        final ProcessBuilder builder;
        try
        {
            command = definition.resolveCommand(Launcher.variables(ctx.home(), definition));
            builder = Launcher.processBuilder(command, definition, ctx.home(), entry.port.path(), token);
        }
        catch (final IllegalArgumentException ex)
        {
            failStart(entry, ex.getMessage());
            return;
        }

        entry.launches++;
        entry.lastLaunchNs = System.nanoTime();
        final Process process;
        try
        {
            process = builder.start();
        }
        catch (final IOException ex)
        {
            failStart(entry, "cannot start " + command.get(0) + ": " + ex.getMessage());
            return;
        }
        entry.process = process;
        entry.checkInToken = token;
        entry.state = ServiceState.LAUNCHING;
        entry.deadlineNs = entry.lastLaunchNs + definition.startTimeout().toNanos();
        entry.lastFailure = null;
        ctx.log("launched '" + entry.name() + "' as pid " + process.pid());
        process.onExit().thenRun(() ->
        {
            events.add(() -> onExit(entry, process));
            selector.wakeup();
        });
    }

    private void onExit(final ServiceEntry entry, final Process process)
    {
        if (entry.process != process)
        {
            return;
        }
        final int status = process.exitValue();
        final boolean checkedIn = ServiceState.RUNNING == entry.state;
        entry.process = null;
        entry.checkInToken = null;
        if (null != entry.session)
        {
            entry.session.checkedIn = null;
            entry.session = null;
        }

        if (!checkedIn)
        {
            failStart(entry, "exited with status " + status + " before checking in");
            return;
        }

        ctx.log("'" + entry.name() + "' (pid " + process.pid() + ") exited with status " + status);
        entry.state = ServiceState.EXITED;
        interruptAccepted(entry, "service '" + entry.name() + "' exited with status " + status);
        final boolean crashed = 0 != status;
        if (!entry.connections.isEmpty() || (crashed && entry.definition.keepAlive()))
        {
            launchOrThrottle(entry);
        }
    }

    private void interruptAccepted(final ServiceEntry entry, final String reason)
    {
        for (final ConnectionEntry connection : new ArrayList<>(entry.connections.values()))
        {
            if (connection.isAccepted() && !connection.serviceReleased)
            {
                connection.serviceReleased = true;
                entry.connections.remove(connection.id);
                if (!connection.clientReleased)
                {
                    notifyClient(connection, new Interrupted(connection.id, reason));
                }
                quietly(() -> removeIfReleased(connection));
            }
        }
    }

    private void failStart(final ServiceEntry entry, final String reason)
    {
        final String message = "service '" + entry.name() + "' failed to start: " + reason;
        ctx.log(message);
        if (null != entry.process)
        {
            entry.process.destroyForcibly();
            entry.process = null;
        }
        entry.checkInToken = null;
        entry.state = ServiceState.FAILED;
        entry.lastFailure = reason;
        // Nobody runs the port now, so the daemon may drop the pending CONNECTs of the callers it fails.
        entry.port.discardPending();
        for (final ConnectionEntry connection : new ArrayList<>(entry.connections.values()))
        {
            connection.serviceReleased = true;
            entry.connections.remove(connection.id);
            if (!connection.clientReleased)
            {
                notifyClient(connection, new Invalidated(connection.id, ErrorCode.SERVICE_FAILED.wireCode(), message));
            }
            quietly(() -> removeIfReleased(connection));
        }
    }

    private void notifyClient(final ConnectionEntry connection, final ControlMessage event)
    {
        quietly(() -> connection.client.send(0, event));
    }

    private void checkDeadlines()
    {
        final long now = System.nanoTime();
        for (final ServiceEntry entry : services.values())
        {
            if (ServiceState.LAUNCHING == entry.state && now - entry.deadlineNs >= 0)
            {
                failStart(entry, "did not check in within startTimeout " + entry.definition.startTimeout());
            }
            else if (ServiceState.THROTTLED == entry.state && now - entry.deadlineNs >= 0)
            {
                launch(entry);
            }
        }
    }

    private void closeSession(final Session session, final String reason)
    {
        if (session.closed)
        {
            return;
        }
        if (null != reason)
        {
            ctx.log("closing " + session.describe() + ": " + reason);
        }
        session.closed = true;
        sessions.remove(session);
        session.key.cancel();
        quietly(session.channel::close);
        for (final ConnectionEntry connection : new ArrayList<>(session.connections))
        {
            quietly(() -> releaseClientSide(connection));
        }
        if (null != session.checkedIn)
        {
            session.checkedIn.session = null;
            session.checkedIn = null;
        }
    }

    /**
     * Stop the services, tell clients, remove every file of this daemon; safe to call more than once.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        running = false;
        final List<Process> stopping = new ArrayList<>();
        long exitTimeoutNs = 0;
        for (final ServiceEntry entry : services.values())
        {
            if (null != entry.process)
            {
                entry.port.append(new PortRecord.TerminationImminent(PortRecord.TerminationImminent.SHUTDOWN));
                entry.process.destroy();
                stopping.add(entry.process);
                exitTimeoutNs = Math.max(exitTimeoutNs, entry.definition.exitTimeout().toNanos());
            }
        }
        for (final ConnectionEntry connection : connections.values())
        {
            if (!connection.clientReleased)
            {
                notifyClient(connection, new Invalidated(connection.id, ErrorCode.CLOSED.wireCode(),
                    "daemon shut down"));
            }
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        for (final Session session : sessions)
        {
            quietly(() -> session.drain(deadline));
            quietly(session.channel::close);
        }
        final long exitDeadline = System.nanoTime() + exitTimeoutNs;
        for (final Process process : stopping)
        {
            try
            {
                if (!process.waitFor(Math.max(0, exitDeadline - System.nanoTime()), TimeUnit.NANOSECONDS))
                {
                    ctx.log("pid " + process.pid() + " did not exit within exitTimeout; killing it");
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        for (final ConnectionEntry connection : connections.values())
        {
            quietly(() -> Files.deleteIfExists(connection.c2sPath));
            quietly(() -> Files.deleteIfExists(connection.s2cPath));
        }
        for (final ServiceEntry entry : services.values())
        {
            entry.port.close();
            quietly(() -> Files.deleteIfExists(entry.port.path()));
        }
        if (null != server)
        {
            quietly(server::close);
            quietly(() -> Files.deleteIfExists(socketPath));
        }
        if (null != selector)
        {
            quietly(selector::close);
        }
        quietly(() -> deleteIfEmpty(ctx.home()));
        ctx.log("stopped");
    }

    private static void deleteIfEmpty(final Path dir) throws IOException
    {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir))
        {
            if (entries.iterator().hasNext())
            {
                return;
            }
        }
        Files.deleteIfExists(dir);
    }

    private void quietly(final IoAction action)
    {
        try
        {
            action.run();
        }
        catch (final IOException | RuntimeException ex)
        {
            ctx.log("cleanup step failed: " + ex);
        }
    }

    @FunctionalInterface
    private interface IoAction
    {
        void run() throws IOException;
    }
}

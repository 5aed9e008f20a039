package io.ringport.daemon;

import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import io.ringport.core.ServiceNames;
import io.ringport.core.control.ControlFrame;
import io.ringport.core.control.ControlMessage;
import io.ringport.core.control.ControlMessage.*;
import io.ringport.core.control.ControlProtocol;
import io.ringport.core.port.PortRecord;
import io.ringport.core.port.PortRecord.TerminationImminent;
import io.ringport.core.ring.RingFile;
import io.ringport.core.ring.RingKind;
import io.ringport.daemon.ServiceEntry.StopPhase;
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
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * ringportd, the bootstrap daemon: owns the service namespace and its port rings, hands out connection
 * capabilities, launches services on their first connection, supervises their instances, tells clients when an
 * instance dies, and keeps the counters file.
 * <p>
 * All state lives on one thread, the one that calls {@link #run()}; process exits arrive through a queue.
 */
public final class Daemon implements AutoCloseable
{
    private static final long TICK_MS = 50;
    private static final long TICK_NS = TimeUnit.MILLISECONDS.toNanos(TICK_MS);

    private final DaemonContext ctx;
    private final Map<String, ServiceEntry> services = new TreeMap<>();
    private final Map<Long, ConnectionEntry> connections = new HashMap<>();
    private final List<Session> sessions = new ArrayList<>();
    private final Queue<Runnable> events = new ConcurrentLinkedQueue<>();
    private final Path socketPath;
    private final ClassDataSharing classDataSharing;
    private final ClassDataTrainer classDataTrainer;
    private CountersFile counters;
    private Selector selector;
    private ServerSocketChannel server;
    private long nextConnectionId = 1;
    private long nextSessionId = 1;
    private long lastPublishNs;
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
        this.classDataSharing = new ClassDataSharing(this.ctx);
        this.classDataTrainer = new ClassDataTrainer(this.ctx, classDataSharing, task ->
        {
            events.add(task);
            final Selector current = selector;
            if (null != current)
            {
                current.wakeup();
            }
        });
    }

    /**
     * Prepare the home, stop what a dead daemon left running, sweep its files, load the services and listen.
     *
     * @return this.
     * @throws IOException       when the home or socket cannot be set up.
     * @throws RingportException ({@link ErrorCode#BAD_REQUEST}) when another daemon already serves the home.
     */
    public Daemon start() throws IOException
    {
        prepareHome();
        classDataSharing.sweep();
        counters = CountersFile.create(ctx.home());
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
        ctx.log(ctx.classDataSharing() ? "class-data archives in " + ctx.classDataDir() :
            "class-data sharing off for every service");
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
                final long now = System.nanoTime();
                checkDeadlines(now);
                classDataTrainer.tick(now);
                if (now - lastPublishNs >= TICK_NS)
                {
                    lastPublishNs = now;
                    publishCounters();
                }
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

        // Before the sweep: the orphans are told to exit through the port rings the sweep removes.
        Instances.stopOrphans(home, ctx);
        ClassDataTrainer.sweep(home, ctx);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(home, "*" + RingFile.SUFFIX))
        {
            for (final Path file : files)
            {
                final long owner = RingFile.readOwnerPid(file);
                if (owner <= 0 || Instances.isGone(owner))
                {
                    ctx.log("sweeping " + file.getFileName() + " left by dead process " + owner);
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private void loadServices()
    {
        final LoadResult result = DefinitionParser.loadDirectory(ctx.servicesDir());
        for (final DefinitionException error : result.errors())
        {
            ctx.log("refused " + error.getMessage());
        }
        for (final ServiceDefinition definition : result.definitions())
        {
            try
            {
                addService(definition);
                ctx.log("registered '" + definition.name() + "' from " + definition.file());
            }
            catch (final IOException | RingportException ex)
            {
                ctx.log("refused " + definition + ": " + ex.getMessage());
            }
        }
    }

    private ServiceEntry addService(final ServiceDefinition definition) throws IOException
    {
        final ServiceCounters serviceCounters;
        try
        {
            serviceCounters = new ServiceCounters(counters.manager(), definition.name());
        }
        catch (final IllegalStateException ex)
        {
            throw new RingportException(ErrorCode.INTERNAL, "no room for the counters of service '" +
                definition.name() + "' in " + counters.path() + " (" + ex.getMessage() + ")");
        }
        final PortWriter port;
        try
        {
            port = PortWriter.create(ctx.home(), definition.portCapacity(), definition.maxMessageLength());
        }
        catch (final IOException ex)
        {
            serviceCounters.close();
            throw ex;
        }
        final ServiceEntry entry = new ServiceEntry(definition, port, serviceCounters);
        services.put(definition.name(), entry);
        classDataTrainer.add(entry);
        return entry;
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
            final ControlMessage answer = answer(session, requestId, message);
            if (null != answer)
            {
                session.send(requestId, answer);
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

    /** Handle a request; null when the answer comes later, through a {@link PendingAnswer}. */
    private ControlMessage answer(final Session session, final long requestId, final ControlMessage message)
        throws IOException
    {
        if (message instanceof Connect connect)
        {
            return onConnect(session, connect.service());
        }
        if (message instanceof CheckIn checkIn)
        {
            return onCheckIn(session, checkIn);
        }
        if (message instanceof Release release)
        {
            onRelease(session, release.connectionId());
            return new Ok();
        }
        if (message instanceof ListServices)
        {
            return list();
        }
        if (message instanceof Kickstart kickstart)
        {
            return kickstart(new PendingAnswer(session, requestId), kickstart);
        }
        if (message instanceof Stop stop)
        {
            return stop(new PendingAnswer(session, requestId), stop.service());
        }
        if (message instanceof Register register)
        {
            return register(session, register.definitionFile());
        }
        if (message instanceof Unregister unregister)
        {
            return unregister(new PendingAnswer(session, requestId), unregister.service());
        }
        if (message instanceof Shutdown)
        {
            ctx.log("shutdown requested by " + session.describe());
            running = false;
            return new Ok();
        }
        throw new RingportException(ErrorCode.PROTOCOL_VIOLATION, "unexpected " +
            message.getClass().getSimpleName() + " from a client");
    }

    private ServiceEntry lookUp(final String name)
    {
        final String problem = ServiceNames.problem(name);
        if (null != problem)
        {
            throw new RingportException(ErrorCode.BAD_REQUEST, problem);
        }
        final ServiceEntry entry = services.get(name);
        if (null == entry || entry.unregistered)
        {
            throw new RingportException(ErrorCode.UNKNOWN_SERVICE, "service '" + name + "' is not registered (known: " +
                services.values().stream().filter(e -> !e.unregistered).map(ServiceEntry::name)
                    .collect(Collectors.joining(", ")) + ")");
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
                "' (group '" + who.group() + "'): add the user to allow.users or the group to allow.groups in " +
                definition.file());
        }

        if (null != entry.startLimitHit && !entry.hasInstance())
        {
            // Launching it again would only crash again: the caller hears why at once.
            throw new RingportException(ErrorCode.SERVICE_FAILED, entry.startLimitHit);
        }

        final long connectionId = nextConnectionId++;
        final byte[] token = RingFile.newToken();
        final Path home = ctx.home();
        final int maxMessageLength = definition.maxMessageLength();
        final RingFile c2s = RingFile.create(home, RingKind.C2S, definition.c2sCapacity(), maxMessageLength,
            connectionId, token);
        final RingFile s2c;
        try
        {
            s2c = RingFile.create(home, RingKind.S2C, definition.s2cCapacity(), maxMessageLength, connectionId, token);
        }
        catch (final IOException | RuntimeException ex)
        {
            c2s.close();
            Files.deleteIfExists(c2s.path());
            throw ex;
        }
        final ConnectionEntry connection = new ConnectionEntry(connectionId, entry, session, c2s, s2c,
            new PortRecord.Connect(connectionId, who.pid(), who.uid(), who.gid(), token, c2s.path().toString(),
                s2c.path().toString()));

        // An instance on its way out must not accept new connections: they wait, off the port, for the next one.
        if (!entry.isStopping())
        {
            connection.portPosition = appendToPort(entry, connection.record);
            if (connection.portPosition < 0 && !entry.isStopping())
            {
                connection.removeFiles();
                throw new RingportException(ErrorCode.BACK_PRESSURE, "port of service '" + name + "' is full (" +
                    entry.connections.size() + " connections); try again when the service has caught up");
            }
        }
        connections.put(connectionId, connection);
        entry.connections.put(connectionId, connection);
        session.connections.add(connection);
        entry.idle = false;

        if (!entry.hasInstance())
        {
            launchOrThrottle(entry);
            if (ServiceState.FAILED == entry.state)
            {
                // The start failed at once (exec failed): the caller hears it as the answer, with the reason, and
                // never holds the connection, so its files go now.
                releaseClientSide(connection);
                throw new RingportException(ErrorCode.SERVICE_FAILED, "service '" + name + "' failed to start: " +
                    entry.lastFailure);
            }
        }
        return new Connected(connectionId, c2s.path().toString(), s2c.path().toString(), token, maxMessageLength);
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
        answerAll(entry.startWaiters, serviceList(entry));
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
            releaseServiceSide(connection);
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
        if (connection.serviceReleased)
        {
            removeIfReleased(connection);
        }
        else if (ConnectionEntry.NOT_ON_PORT == connection.portPosition)
        {
            // No instance has seen it, so none will release it.
            releaseServiceSide(connection);
        }
        else
        {
            // The service drains what the client sent, then closes; a full port only delays that until the
            // client's CLOSE record or the instance's exit.
            appendToPort(connection.service, new PortRecord.Disconnect(connection.id));
        }
    }

    private void releaseServiceSide(final ConnectionEntry connection) throws IOException
    {
        connection.serviceReleased = true;
        connection.service.connections.remove(connection.id);
        removeIfReleased(connection);
    }

    /** The service side is done with a connection: tell the client why, unless it let go already. */
    private void endConnection(final ConnectionEntry connection, final ControlMessage event)
    {
        if (!connection.clientReleased)
        {
            notifyClient(connection, event);
        }
        quietly(() -> releaseServiceSide(connection));
    }

    private void removeIfReleased(final ConnectionEntry connection) throws IOException
    {
        if (connection.clientReleased && connection.serviceReleased)
        {
            connections.remove(connection.id);
            connection.service.counters.retire(connection);
            connection.removeFiles();
        }
    }

    private ServiceList list()
    {
        final List<ServiceInfo> infos = new ArrayList<>(services.size());
        for (final ServiceEntry entry : services.values())
        {
            if (!entry.unregistered)
            {
                infos.add(info(entry));
            }
        }
        return new ServiceList(infos);
    }

    private static ServiceInfo info(final ServiceEntry entry)
    {
        return new ServiceInfo(entry.name(), entry.state.name(), entry.pid(),
            entry.counters.get(ServiceCounter.LAUNCHES), entry.connections.size());
    }

    private static ServiceList serviceList(final ServiceEntry entry)
    {
        return new ServiceList(List.of(info(entry)));
    }

    private ControlMessage kickstart(final PendingAnswer waiter, final Kickstart request)
    {
        final ServiceEntry entry = lookUp(request.service());
        if (ServiceState.RUNNING == entry.state && !entry.isStopping() && !request.kill())
        {
            return serviceList(entry);
        }
        ctx.log("kickstart" + (request.kill() ? " -k" : "") + " of '" + entry.name() + "' requested by " +
            waiter.session().describe());
        entry.startWaiters.add(waiter);
        if (!entry.hasInstance())
        {
            // An operator's start is a fresh start: the crashes before it count no more.
            entry.badStartsNs.clear();
            entry.startLimitHit = null;
            // An operator's start does not wait for the throttle interval.
            launch(entry);
            return null;
        }
        if (request.kill())
        {
            terminate(entry, TerminationImminent.STOP);
        }
        if (entry.isStopping())
        {
            entry.relaunchAfterExit = true;
        }
        return null;
    }

    private ControlMessage stop(final PendingAnswer waiter, final String name)
    {
        final ServiceEntry entry = lookUp(name);
        ctx.log("stop of '" + name + "' requested by " + waiter.session().describe());
        entry.relaunchAfterExit = false;
        answerAll(entry.startWaiters, new ControlMessage.Error(ErrorCode.SERVICE_FAILED.wireCode(),
            "service '" + name + "' was stopped before it checked in"));
        if (!entry.hasInstance())
        {
            if (ServiceState.THROTTLED == entry.state && entry.connections.isEmpty())
            {
                ctx.log("'" + name + "' will not be relaunched after its crash");
                entry.state = ServiceState.EXITED;
            }
            return serviceList(entry);
        }
        entry.exitWaiters.add(waiter);
        terminate(entry, TerminationImminent.STOP);
        return null;
    }

    private ControlMessage register(final Session session, final String definitionFile) throws IOException
    {
        final Path file;
        try
        {
            file = Path.of(definitionFile);
        }
        catch (final InvalidPathException ex)
        {
            throw new RingportException(ErrorCode.BAD_REQUEST, "definition '" + definitionFile + "' is not a path: " +
                ex.getReason());
        }
        if (!file.isAbsolute())
        {
            throw new RingportException(ErrorCode.BAD_REQUEST, "definition " + file + ": give an absolute path, " +
                "the daemon's working directory is not the caller's");
        }
        final ServiceDefinition definition;
        try
        {
            definition = DefinitionParser.parse(file);
        }
        catch (final DefinitionException ex)
        {
            throw new RingportException(ErrorCode.BAD_REQUEST, ex.getMessage());
        }
        final ServiceEntry existing = services.get(definition.name());
        if (null != existing)
        {
            throw new RingportException(ErrorCode.BAD_REQUEST, "definition " + file + ": key 'name': service '" +
                definition.name() + "' " + (existing.unregistered ?
                "is still being unregistered; try again once its instance has exited" :
                "is already registered from " + existing.definition.file() + "; unregister it first"));
        }
        final ServiceEntry entry = addService(definition);
        ctx.log("registered '" + definition.name() + "' from " + file + " (requested by " + session.describe() + ")");
        if (definition.runAtLoad())
        {
            launch(entry);
        }
        return serviceList(entry);
    }

    private ControlMessage unregister(final PendingAnswer waiter, final String name)
    {
        final ServiceEntry entry = lookUp(name);
        ctx.log("unregister of '" + name + "' requested by " + waiter.session().describe());
        entry.unregistered = true;
        entry.relaunchAfterExit = false;
        final String reason = "service '" + name + "' was unregistered";
        answerAll(entry.startWaiters, new ControlMessage.Error(ErrorCode.UNKNOWN_SERVICE.wireCode(), reason));
        for (final ConnectionEntry connection : new ArrayList<>(entry.connections.values()))
        {
            endConnection(connection, new Invalidated(connection.id, ErrorCode.UNKNOWN_SERVICE.wireCode(), reason));
        }
        if (entry.hasInstance())
        {
            entry.exitWaiters.add(waiter);
            terminate(entry, TerminationImminent.STOP);
            return null;
        }
        remove(entry);
        return serviceList(entry);
    }

    /** Forget an unregistered service whose instance is gone. */
    private void remove(final ServiceEntry entry)
    {
        services.remove(entry.name());
        entry.port.close();
        quietly(() -> Files.deleteIfExists(entry.port.path()));
        entry.counters.close();
        classDataTrainer.remove(entry);
        classDataSharing.forget(entry.name());
        ctx.log("unregistered '" + entry.name() + "'");
    }

    private void launchOrThrottle(final ServiceEntry entry)
    {
        if (ServiceState.THROTTLED == entry.state)
        {
            return;
        }
        final long throttleNs = entry.definition.throttleInterval().toNanos();
        final long earliest = entry.lastLaunchNs + throttleNs;
        if (entry.counters.get(ServiceCounter.LAUNCHES) > 0 && System.nanoTime() - earliest < 0)
        {
            entry.state = ServiceState.THROTTLED;
            entry.deadlineNs = earliest;
            entry.counters.increment(ServiceCounter.THROTTLES);
            ctx.log("'" + entry.name() + "' throttled: next launch in " +
                TimeUnit.NANOSECONDS.toMillis(earliest - System.nanoTime()) + " ms (throttleInterval " +
                entry.definition.throttleInterval() + ")");
            return;
        }
        launch(entry);
    }

    private void launch(final ServiceEntry entry)
    {
        if (!entry.port.consumerPositionsAreSound())
        {
            // Broken since the last instance left (an exit resets them): the new instance's reader would refuse them.
            resetPort(entry, entry.port.path() + ": its consumer positions are not a consumer's");
        }
        final ServiceDefinition definition = entry.definition;
        final String token = HexFormat.of().formatHex(RingFile.newToken());
        entry.classData = null;
        List<String> command;
        final ProcessBuilder builder;
        ClassDataSharing.Launch classData = null;
        try
        {
            command = Launcher.command(ctx.home(), definition, List.of());
            builder = Launcher.processBuilder(command, definition, ctx.home(), entry.port.path(), token);
            if (ctx.classDataSharing())
            {
                classData = classDataSharing.prepare(entry, command,
                    (flags) -> Launcher.command(ctx.home(), definition, flags), builder, false);
            }
            if (null != classData)
            {
                command = Launcher.command(ctx.home(), definition, classData.flags);
                builder.command(command);
            }
        }
        catch (final IllegalArgumentException ex)
        {
            if (null != classData)
            {
                classDataSharing.abandon(classData);
            }
            failStart(entry, ex.getMessage());
            return;
        }

        entry.counters.increment(ServiceCounter.LAUNCHES);
        entry.lastLaunchNs = System.nanoTime();
        classDataTrainer.launched(entry.lastLaunchNs);
        final Process process;
        try
        {
            process = builder.start();
        }
        catch (final IOException ex)
        {
            if (null != classData)
            {
                classDataSharing.abandon(classData);
            }
            failStart(entry, "cannot start " + command.get(0) + ": " + ex.getMessage());
            return;
        }
        if (null != classData)
        {
            classDataSharing.started(classData, process);
        }
        entry.classData = classData;
        entry.process = process;
        entry.checkInToken = token;
        entry.state = ServiceState.LAUNCHING;
        entry.deadlineNs = entry.lastLaunchNs + definition.startTimeout().toNanos();
        entry.lastFailure = null;
        entry.idle = false;
        writeInstances();
        ctx.log("launched '" + entry.name() + "' as pid " + process.pid());
        final ClassDataSharing.Launch launched = classData;
        process.onExit().thenRun(() ->
        {
            events.add(() -> onExit(entry, process, launched));
            selector.wakeup();
        });
    }

    private void onExit(final ServiceEntry entry, final Process process, final ClassDataSharing.Launch classData)
    {
        final int status = process.exitValue();
        if (null != classData)
        {
            // Also for an instance already given up on (failed start): what it wrote goes.
            classDataSharing.exited(classData, status);
        }
        if (entry.process != process)
        {
            return;
        }
        // A launched service serves its port while its check-in is on the way: one that accepted a connection was up.
        final boolean started = ServiceState.RUNNING == entry.state || acceptedAny(entry);
        // One stopped for breaking its port was asked to exit, but by its own fault: that counts as a crash. One an
        // operator was stopping anyway stays stopped.
        final boolean broke = entry.portBroken;
        final boolean requested = entry.isStopping() && !entry.stoppedForPort;
        final boolean relaunch = entry.relaunchAfterExit;
        final boolean crashed = 0 != status && !requested;
        entry.process = null;
        entry.checkInToken = null;
        entry.stopReason = 0;
        entry.portBroken = false;
        entry.stoppedForPort = false;
        entry.relaunchAfterExit = false;
        if (null != entry.session)
        {
            entry.session.checkedIn = null;
            entry.session = null;
        }
        writeInstances();
        if (crashed)
        {
            entry.counters.increment(ServiceCounter.CRASHES);
        }

        final String exit = "pid " + process.pid() + " exited with status " + status;
        if (!started && !requested)
        {
            failStart(entry, "exited with status " + status + " before checking in");
            return;
        }
        entry.classData = null;
        ctx.log("'" + entry.name() + "' (" + exit + ")" + (requested ? ", as asked" : ""));
        entry.state = ServiceState.EXITED;
        interruptAccepted(entry, "service '" + entry.name() + "' was " + (broke ? "stopped: it broke its port, " :
            requested ? "stopped: " : "interrupted: ") + exit);
        requeuePending(entry);
        answerAll(entry.exitWaiters, serviceList(entry));
        if (entry.unregistered)
        {
            remove(entry);
        }
        else if (crashed && countBadStart(entry))
        {
            ctx.log(entry.startLimitHit);
            fail(entry, entry.startLimitHit, entry.startLimitHit);
        }
        else if (relaunch)
        {
            launch(entry);
        }
        else if (!entry.connections.isEmpty() || (crashed && entry.definition.keepAlive()))
        {
            launchOrThrottle(entry);
        }
    }

    private static boolean acceptedAny(final ServiceEntry entry)
    {
        for (final ConnectionEntry connection : entry.connections.values())
        {
            if (connection.isAccepted())
            {
                return true;
            }
        }
        return false;
    }

    private void interruptAccepted(final ServiceEntry entry, final String reason)
    {
        for (final ConnectionEntry connection : new ArrayList<>(entry.connections.values()))
        {
            if (connection.isAccepted())
            {
                endConnection(connection, new Interrupted(connection.id, reason));
            }
        }
    }

    /**
     * After an instance exited: drop what it left unread on the port (DISCONNECTs, a TERMINATION_IMMINENT it never
     * saw) and put back, in their order, the CONNECTs of the connections it never accepted, for the next instance.
     */
    private void requeuePending(final ServiceEntry entry)
    {
        entry.port.discardPending();
        for (final ConnectionEntry connection : new ArrayList<>(entry.connections.values()))
        {
            if (connection.clientReleased)
            {
                quietly(() -> releaseServiceSide(connection));
                continue;
            }
            connection.portPosition = appendToPort(entry, connection.record);
            if (connection.portPosition < 0)
            {
                endConnection(connection, new Interrupted(connection.id, "service '" + entry.name() +
                    "' was interrupted before it accepted the connection, and its port has no room to keep it"));
            }
        }
    }

    /** Start a port that no instance reads over, with the CONNECTs of the connections that wait on it. */
    private void resetPort(final ServiceEntry entry, final String why)
    {
        ctx.log("'" + entry.name() + "' port broken with no instance running: " + why + "; resetting it");
        entry.resettingPort = true;
        try
        {
            requeuePending(entry);
        }
        finally
        {
            entry.resettingPort = false;
        }
    }

    /**
     * Append a record to a service's port. The port's consumer position is the instance's to write: one that is not
     * a position breaks the protocol, so that instance is stopped (its port is reset when it exits and the
     * connections it never accepted wait for the next one), and every other service goes on.
     *
     * @return the position after the record, or -1 when it was not appended.
     */
    private long appendToPort(final ServiceEntry entry, final PortRecord record)
    {
        try
        {
            return entry.port.append(record);
        }
        catch (final RingportException ex)
        {
            if (closed)
            {
                return -1;
            }
            if (null == entry.process)
            {
                if (entry.resettingPort)
                {
                    // Broken again while it is being reset: something else writes it; this record is not appended.
                    ctx.log("'" + entry.name() + "' port broken again while being reset: " + ex.getMessage());
                    return -1;
                }
                // No instance reads the port, so nothing may have written its consumer position: start it over,
                // keeping the connections that wait on it.
                resetPort(entry, ex.getMessage());
                try
                {
                    return entry.port.append(record);
                }
                catch (final RingportException again)
                {
                    ctx.log("'" + entry.name() + "' port broken again right after its reset: " + again.getMessage());
                    return -1;
                }
            }
            if (!entry.portBroken)
            {
                entry.portBroken = true;
                ctx.log("'" + entry.name() + "' (pid " + entry.process.pid() + ") broke its port: " + ex.getMessage() +
                    "; stopping it");
                if (!entry.isStopping())
                {
                    entry.stoppedForPort = true;
                    terminate(entry, TerminationImminent.STOP);
                }
                else if (StopPhase.ASKED == entry.stopPhase)
                {
                    // Asked to exit (idle) through a port it no longer reads: signal it now.
                    entry.process.destroy();
                    entry.stopPhase = StopPhase.TERMINATED;
                    entry.stopDeadlineNs = System.nanoTime() + entry.definition.exitTimeout().toNanos();
                }
            }
            return -1;
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
            writeInstances();
        }
        if (null != entry.classData)
        {
            classDataSharing.discard(entry.classData);
            entry.classData = null;
            entry.classDataOff = "a launch with a class-data flag failed to start; unregister and register the service again " +
                "or restart the daemon to try again";
            ctx.log("class-data sharing off for '" + entry.name() + "' from now on: its launch with a class-data " +
                "flag failed to start");
        }
        entry.checkInToken = null;
        if (countBadStart(entry))
        {
            ctx.log(entry.startLimitHit);
            fail(entry, reason, message + "; " + entry.startLimitHit);
            return;
        }
        fail(entry, reason, message);
    }

    /**
     * The service is FAILED: nobody runs its port, so the daemon drops the pending CONNECTs of the callers it tells,
     * and every waiting connection and kickstart hears the message.
     */
    private void fail(final ServiceEntry entry, final String reason, final String message)
    {
        entry.state = ServiceState.FAILED;
        entry.lastFailure = reason;
        entry.port.discardPending();
        for (final ConnectionEntry connection : new ArrayList<>(entry.connections.values()))
        {
            endConnection(connection, new Invalidated(connection.id, ErrorCode.SERVICE_FAILED.wireCode(), message));
        }
        answerAll(entry.startWaiters, new ControlMessage.Error(ErrorCode.SERVICE_FAILED.wireCode(), message));
    }

    /**
     * Count a crash or a failed start; when {@code startLimitBurst} of them fall within {@code startLimitInterval},
     * the service hits its start limit: it launches no more, and callers are told why, until an operator starts it.
     *
     * @return true when this one hit the limit.
     */
    private boolean countBadStart(final ServiceEntry entry)
    {
        final int burst = entry.definition.startLimitBurst();
        if (0 == burst)
        {
            return false;
        }
        final long now = System.nanoTime();
        final long windowNs = entry.definition.startLimitInterval().toNanos();
        entry.badStartsNs.addLast(now);
        while (now - entry.badStartsNs.peekFirst() > windowNs)
        {
            entry.badStartsNs.removeFirst();
        }
        if (entry.badStartsNs.size() < burst || null != entry.startLimitHit)
        {
            return false;
        }
        entry.startLimitHit = "service '" + entry.name() + "' hit its start limit: " + entry.badStartsNs.size() +
            " crashes or failed starts within startLimitInterval " + entry.definition.startLimitInterval() +
            " (startLimitBurst " + burst + "); 'ringport kickstart " + entry.name() + "' starts it again";
        return true;
    }

    /**
     * Ask an instance to exit: TERMINATION_IMMINENT on its port; for an idle exit, SIGTERM only if it is still there
     * after its exitTimeout, otherwise SIGTERM at once; SIGKILL after another exitTimeout.
     */
    private void terminate(final ServiceEntry entry, final int reason)
    {
        final long now = System.nanoTime();
        final long exitTimeoutNs = entry.definition.exitTimeout().toNanos();
        if (!entry.isStopping())
        {
            entry.stopReason = reason;
            entry.stopPhase = StopPhase.ASKED;
            entry.stopDeadlineNs = now + exitTimeoutNs;
            // A full port does not stop the stop: the signals come anyway (at once for a port it broke).
            appendToPort(entry, new TerminationImminent(reason));
        }
        if (TerminationImminent.IDLE != reason && StopPhase.ASKED == entry.stopPhase)
        {
            entry.process.destroy();
            entry.stopPhase = StopPhase.TERMINATED;
            entry.stopDeadlineNs = now + exitTimeoutNs;
        }
    }

    /** The steps of {@link Exits#await}, one at a time as their deadlines pass, so that the loop never blocks. */
    private void advanceStop(final ServiceEntry entry, final long now)
    {
        if (now - entry.stopDeadlineNs < 0)
        {
            return;
        }
        final String who = "'" + entry.name() + "' (pid " + entry.process.pid() + ")";
        final Duration exitTimeout = entry.definition.exitTimeout();
        if (StopPhase.ASKED == entry.stopPhase)
        {
            ctx.log(who + " did not exit within exitTimeout " + exitTimeout + " of TERMINATION_IMMINENT; SIGTERM");
            entry.process.destroy();
            entry.stopPhase = StopPhase.TERMINATED;
            entry.stopDeadlineNs = now + exitTimeout.toNanos();
        }
        else if (StopPhase.TERMINATED == entry.stopPhase)
        {
            ctx.log(who + " did not exit within exitTimeout " + exitTimeout + " of SIGTERM; SIGKILL");
            entry.process.destroyForcibly();
            entry.stopPhase = StopPhase.KILLED;
        }
    }

    private void checkIdle(final ServiceEntry entry, final long now)
    {
        final Optional<Duration> idleExit = entry.definition.idleExit();
        if (idleExit.isEmpty() || !entry.connections.isEmpty())
        {
            entry.idle = false;
        }
        else if (!entry.idle)
        {
            entry.idle = true;
            entry.idleSinceNs = now;
        }
        else if (now - entry.idleSinceNs >= idleExit.get().toNanos())
        {
            ctx.log("'" + entry.name() + "' (pid " + entry.pid() + ") had no connection for idleExit " +
                idleExit.get() + ": TERMINATION_IMMINENT");
            terminate(entry, TerminationImminent.IDLE);
        }
    }

    private void checkDeadlines(final long now)
    {
        for (final ServiceEntry entry : services.values())
        {
            if (entry.isStopping())
            {
                advanceStop(entry, now);
            }
            else if (ServiceState.LAUNCHING == entry.state && now - entry.deadlineNs >= 0)
            {
                failStart(entry, "did not check in within startTimeout " + entry.definition.startTimeout());
            }
            else if (ServiceState.THROTTLED == entry.state && now - entry.deadlineNs >= 0)
            {
                launch(entry);
            }
            else if (ServiceState.RUNNING == entry.state)
            {
                checkIdle(entry, now);
            }
        }
    }

    private void publishCounters()
    {
        for (final ServiceEntry entry : services.values())
        {
            entry.counters.startTally();
            // Take the instance's consumer position while it is one: if it breaks the word later, the daemon still
            // knows which connections it had accepted up to a tick before.
            entry.port.consumerPosition();
        }
        for (final ConnectionEntry connection : connections.values())
        {
            connection.service.counters.tally(connection);
        }
        for (final ServiceEntry entry : services.values())
        {
            entry.counters.publishTally(entry.connections.size());
        }
    }

    private void writeInstances()
    {
        final List<Instances.Instance> instances = new ArrayList<>();
        for (final ServiceEntry entry : services.values())
        {
            if (null != entry.process)
            {
                instances.add(Instances.Instance.of(entry.process, entry));
            }
        }
        quietly(() -> Instances.write(ctx.home(), instances));
    }

    private void notifyClient(final ConnectionEntry connection, final ControlMessage event)
    {
        quietly(() -> connection.client.send(0, event));
    }

    private void answerAll(final List<PendingAnswer> waiters, final ControlMessage answer)
    {
        for (final PendingAnswer waiter : waiters)
        {
            quietly(() -> waiter.answer(answer));
        }
        waiters.clear();
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
        final List<Exits.Exiting> stopping = new ArrayList<>();
        for (final ServiceEntry entry : services.values())
        {
            if (null != entry.process)
            {
                appendToPort(entry, new TerminationImminent(TerminationImminent.SHUTDOWN));
                entry.process.destroy();
                stopping.add(new Exits.Exiting("'" + entry.name() + "' (pid " + entry.process.pid() + ")",
                    entry.process.toHandle(), entry.definition.exitTimeout()));
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
        Exits.await(stopping, true, ctx);
        classDataTrainer.close();
        classDataSharing.close();
        for (final ConnectionEntry connection : connections.values())
        {
            quietly(connection::removeFiles);
        }
        for (final ServiceEntry entry : services.values())
        {
            entry.port.close();
            quietly(() -> Files.deleteIfExists(entry.port.path()));
        }
        quietly(() -> Files.deleteIfExists(ctx.home().resolve(Instances.FILE_NAME)));
        if (null != counters)
        {
            counters.close();
            quietly(() -> Files.deleteIfExists(counters.path()));
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
        if (ctx.home().equals(ctx.classDataDir().getParent()) && Files.isDirectory(ctx.classDataDir()))
        {
            quietly(() -> deleteIfEmpty(ctx.classDataDir()));
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

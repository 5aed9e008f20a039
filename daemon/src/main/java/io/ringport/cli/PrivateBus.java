package io.ringport.cli;

import io.ringport.client.Ringport;
import io.ringport.daemon.Daemon;
import io.ringport.daemon.DaemonContext;
import org.agrona.IoUtil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * A daemon of its own for {@code demo} and {@code bench}: a fresh home in /dev/shm, the example echo service
 * registered, the daemon on a thread of this process; closing it shuts everything down and removes every file.
 */
final class PrivateBus implements AutoCloseable
{
    static final String ECHO = "io.ringport.echo";
    private static final String ECHO_DEFINITION = "/io/ringport/examples/services/echo.properties";

    final Path home;
    private final Path services;
    private final ByteArrayOutputStream daemonLog = new ByteArrayOutputStream();
    private final Daemon daemon;
    private final Thread daemonThread;
    final Ringport ringport;

    PrivateBus() throws IOException
    {
        final Path shm = Path.of("/dev/shm");
        home = Files.createTempDirectory(Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir")),
            "ringport-demo-");
        services = Files.createTempDirectory("ringport-demo-services-");
        try
        {
            try (InputStream definition = PrivateBus.class.getResourceAsStream(ECHO_DEFINITION))
            {
                Files.copy(definition, services.resolve("echo.properties"));
            }
            // No class-data archive: it would go with the temporary home, after costing the echo service a dump.
            daemon = new Daemon(new DaemonContext().home(home).servicesDir(services).classDataSharing(false)
                .log(new PrintStream(daemonLog, true, UTF_8))).start();
            daemonThread = new Thread(daemon::run, "ringportd");
            daemonThread.start();
            ringport = Ringport.open(new Ringport.Context().home(home));
        }
        catch (final IOException | RuntimeException ex)
        {
            IoUtil.delete(services.toFile(), false);
            IoUtil.delete(home.toFile(), false);
            throw ex;
        }
    }

    /** What the daemon logged, to show when something went wrong. */
    String daemonLog()
    {
        return daemonLog.toString(UTF_8);
    }

    /**
     * Shut the daemon down through the bus, as {@code ringport shutdown} would, and wait for it.
     *
     * @return true when it left no file behind.
     */
    boolean shutdown() throws InterruptedException
    {
        ringport.shutdownDaemon();
        ringport.close();
        daemonThread.join();
        return !Files.exists(home);
    }

    /** {@inheritDoc} */
    public void close() throws Exception
    {
        try
        {
            ringport.close();
            if (daemonThread.isAlive())
            {
                daemon.stop();
                daemonThread.join();
            }
        }
        finally
        {
            IoUtil.delete(services.toFile(), false);
            IoUtil.delete(home.toFile(), false);
        }
    }
}

package io.ringport.cli;

import io.ringport.client.Ringport;
import io.ringport.core.control.ControlMessage.ServiceInfo;
import io.ringport.daemon.Daemon;
import io.ringport.daemon.DaemonContext;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * {@code ringport demo}: a private daemon, the echo service launched by the first message, round-trip latency
 * next to Unix domain and TCP sockets, then a shutdown that leaves no file behind.
 */
final class Demo
{
    private static final String ECHO = "io.ringport.echo";
    private static final String ECHO_DEFINITION = "/io/ringport/examples/services/echo.properties";
    private static final int SIZE = 32;
    private static final int WARMUP = 20_000;
    private static final int COUNT = 20_000;

    private final PrintStream out;
    private final PrintStream err;

    Demo(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    int run() throws Exception
    {
        final Path shm = Path.of("/dev/shm");
        final Path home = Files.createTempDirectory(Files.isDirectory(shm) ? shm : Path.of(System.getProperty(
            "java.io.tmpdir")), "ringport-demo-");
        final Path services = Files.createTempDirectory("ringport-demo-services-");
        final ByteArrayOutputStream daemonLog = new ByteArrayOutputStream();
        Thread daemonThread = null;
        Daemon daemon = null;
        try
        {
            try (InputStream definition = Demo.class.getResourceAsStream(ECHO_DEFINITION))
            {
                Files.copy(definition, services.resolve("echo.properties"));
            }
            out.println("Ringport demo: a private daemon in " + home);
            daemon = new Daemon(new DaemonContext().home(home).servicesDir(services)
                .log(new PrintStream(daemonLog, true, UTF_8))).start();
            final Daemon running = daemon;
            daemonThread = new Thread(running::run, "ringportd");
            daemonThread.start();

            try (Ringport ringport = Ringport.open(new Ringport.Context().home(home)))
            {
                out.println("  registered: " + describe(ringport.listServices()));

                final Pinger pinger = new Pinger(ringport.connect(ECHO), SIZE);
                final long first = pinger.roundTrip(Pinger.LAUNCH_TIMEOUT_NS);
                out.println("  first message launched " + ECHO + " on demand; its echo came back after " +
                    Latency.micros(first));
                out.println("  now: " + describe(ringport.listServices()));

                out.println();
                out.println("Round trip of " + SIZE + " B messages, " + COUNT + " samples each, partner in another process:");
                final Latency bus = Latency.measure(WARMUP, COUNT, () -> pinger.roundTrip(Pinger.TIMEOUT_NS));
                final Latency unix;
                final Path socketFile = home.resolve("demo-echo.sock");
                try (SocketBaseline baseline = SocketBaseline.start(socketFile, SIZE))
                {
                    unix = Latency.measure(WARMUP / 4, COUNT, baseline::roundTrip);
                }
                final Latency tcp;
                try (SocketBaseline baseline = SocketBaseline.start(null, SIZE))
                {
                    tcp = Latency.measure(WARMUP / 4, COUNT, baseline::roundTrip);
                }
                out.println(Latency.header());
                out.println(bus.row("ringport"));
                out.println(unix.row("unix socket"));
                out.println(tcp.row("tcp loopback"));
                out.println(String.format(Locale.ROOT,
                    "  ringport p50 is %.0fx faster than a Unix domain socket and %.0fx faster than TCP loopback",
                    ratio(unix.p(50), bus.p(50)), ratio(tcp.p(50), bus.p(50))));
                if (bus.lost > 0)
                {
                    err.println("ringport demo: " + bus.lost + " echoes did not come back within 1 s");
                    return 5;
                }

                out.println();
                ringport.shutdownDaemon();
            }
            daemonThread.join();
            daemonThread = null;
            final boolean clean = !Files.exists(home);
            out.println("Shut down: daemon and echo service stopped; " +
                (clean ? "no file left behind." : "files left in " + home + "!"));
            return clean ? 0 : 1;
        }
        catch (final Exception ex)
        {
            err.print(daemonLog.toString(UTF_8));
            throw ex;
        }
        finally
        {
            if (null != daemonThread)
            {
                daemon.stop();
                daemonThread.join();
            }
            deleteTree(services);
            deleteTree(home);
        }
    }

    private static String describe(final List<ServiceInfo> services)
    {
        final StringBuilder sb = new StringBuilder();
        for (final ServiceInfo info : services)
        {
            sb.append(sb.length() > 0 ? ", " : "").append(info.name()).append(" (").append(info.state());
            if (info.pid() > 0)
            {
                sb.append(", pid ").append(info.pid());
            }
            sb.append(')');
        }
        return sb.toString();
    }

    private static double ratio(final long slower, final long faster)
    {
        return (double)slower / Math.max(1, faster);
    }

    private static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
    }
}

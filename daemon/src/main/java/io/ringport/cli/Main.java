package io.ringport.cli;

import io.ringport.client.Ringport;
import io.ringport.core.ErrorCode;
import io.ringport.core.RingportEnvironment;
import io.ringport.core.RingportException;
import io.ringport.core.control.ControlMessage.ServiceInfo;
import io.ringport.core.control.ControlProtocol;
import io.ringport.daemon.Daemon;
import io.ringport.daemon.DaemonContext;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The {@code ringport} command line. Exit codes: 0 ok, 2 usage, 3 daemon not reachable, 4 unknown service,
 * 5 service failed.
 */
public final class Main
{
    static final String USAGE = String.join("\n",
        "usage: ringport COMMAND [OPTIONS]",
        "  daemon [--home DIR] [--services DIR]          run the bootstrap daemon in the foreground",
        "  shutdown                                     stop the daemon and its services, remove its files",
        "  list [--json]                                services: name, state, pid, launches, connections",
        "  ping NAME [--count N] [--size B] [--json]    round trips through the bus (launches NAME on demand)",
        "  demo                                         self-contained tour: daemon, on-demand launch, latency",
        "Environment: RINGPORT_HOME (default /dev/shm/ringport-$USER), RINGPORT_SERVICES (definitions directory).");

    private Main()
    {
    }

    /**
     * Entry point.
     *
     * @param args the command and its options.
     */
    public static void main(final String[] args)
    {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Run a command and return its exit code instead of exiting.
     *
     * @param args the command and its options.
     * @param out  standard output.
     * @param err  standard error.
     * @return the exit code.
     */
    public static int run(final String[] args, final PrintStream out, final PrintStream err)
    {
        if (args.length == 0 || "--help".equals(args[0]) || "help".equals(args[0]))
        {
            (args.length == 0 ? err : out).println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        final String command = args[0];
        try
        {
            switch (command)
            {
                case "daemon":
                    return daemon(new Args(command, args, 1, Set.of(), Set.of("--home", "--services")), err);
                case "shutdown":
                    new Args(command, args, 1, Set.of(), Set.of()).operands(0, "shutdown");
                    return shutdown(out);
                case "list":
                    return list(new Args(command, args, 1, Set.of("--json"), Set.of()), out);
                case "ping":
                    return ping(new Args(command, args, 1, Set.of("--json"), Set.of("--count", "--size")), out);
                case "demo":
                    new Args(command, args, 1, Set.of(), Set.of()).operands(0, "demo");
                    return new Demo(out, err).run();
                default:
                    throw new UsageException("unknown command '" + command + "'\n" + USAGE);
            }
        }
        catch (final UsageException ex)
        {
            err.println("ringport: " + ex.getMessage());
            return 2;
        }
        catch (final RingportException ex)
        {
            err.println("ringport " + command + ": " + ex.getMessage());
            return ex.code().exitCode();
        }
        catch (final Exception ex)
        {
            err.println("ringport " + command + ": " + ex);
            return 1;
        }
    }

    private static int daemon(final Args args, final PrintStream err) throws Exception
    {
        args.operands(0, "daemon [--home DIR] [--services DIR]");
        final DaemonContext ctx = new DaemonContext().log(err);
        final String home = args.value("--home", null);
        final String services = args.value("--services", null);
        if (null != home)
        {
            ctx.home(Path.of(home));
        }
        if (null != services)
        {
            ctx.servicesDir(Path.of(services));
        }
        final Daemon daemon = new Daemon(ctx).start();
        final CountDownLatch stopped = new CountDownLatch(1);
        final Thread hook = new Thread(() ->
        {
            daemon.stop();
            try
            {
                stopped.await(60, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ignore)
            {
                Thread.currentThread().interrupt();
            }
        }, "ringportd-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try
        {
            daemon.run();
        }
        finally
        {
            stopped.countDown();
        }
        return 0;
    }

    private static int shutdown(final PrintStream out) throws InterruptedException
    {
        final Path home = RingportEnvironment.home();
        try (Ringport ringport = Ringport.open())
        {
            ringport.shutdownDaemon();
        }
        final Path socket = home.resolve(ControlProtocol.SOCKET_NAME);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (Files.exists(socket))
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new RingportException(ErrorCode.TIMED_OUT, "daemon at " + home + " accepted SHUTDOWN but its " +
                    "socket is still there after 60 s");
            }
            Thread.sleep(20);
        }
        out.println("ringport daemon at " + home + " shut down");
        return 0;
    }

    private static int list(final Args args, final PrintStream out)
    {
        args.operands(0, "list [--json]");
        final List<ServiceInfo> services;
        try (Ringport ringport = Ringport.open())
        {
            services = ringport.listServices();
        }
        if (args.flag("--json"))
        {
            final StringBuilder json = new StringBuilder("[");
            for (final ServiceInfo info : services)
            {
                if (json.length() > 1)
                {
                    json.append(',');
                }
                json.append("{\"name\":").append(Json.string(info.name()))
                    .append(",\"state\":").append(Json.string(info.state()))
                    .append(",\"pid\":").append(info.pid())
                    .append(",\"launches\":").append(info.launches())
                    .append(",\"connections\":").append(info.connections()).append('}');
            }
            out.println(json.append(']'));
        }
        else
        {
            out.println(String.format(Locale.ROOT, "%-40s %-10s %8s %9s %12s", "NAME", "STATE", "PID", "LAUNCHES",
                "CONNECTIONS"));
            for (final ServiceInfo info : services)
            {
                out.println(String.format(Locale.ROOT, "%-40s %-10s %8s %9d %12d", info.name(), info.state(),
                    0 == info.pid() ? "-" : Long.toString(info.pid()), info.launches(), info.connections()));
            }
        }
        return 0;
    }

    private static int ping(final Args args, final PrintStream out) throws Exception
    {
        final String name = args.operands(1, "ping NAME [--count N] [--size B] [--json]").get(0);
        final int count = args.intValue("--count", 1000, 1, 100_000_000);
        final int size = args.intValue("--size", 32, 1, 64 * 1024);
        try (Ringport ringport = Ringport.open())
        {
            final Pinger pinger = new Pinger(ringport.connect(name), size);
            final long firstNs = pinger.roundTrip(Pinger.LAUNCH_TIMEOUT_NS);
            final Latency latency = Latency.measure(Math.min(count, 1000), count,
                () -> pinger.roundTrip(Pinger.TIMEOUT_NS));
            if (args.flag("--json"))
            {
                out.println("{\"service\":" + Json.string(name) + ",\"count\":" + count + ",\"size\":" + size +
                    ",\"lost\":" + latency.lost + ",\"first_ns\":" + firstNs + ",\"rtt_ns\":" + latency.json() + "}");
            }
            else
            {
                out.println("ping " + name + ": " + count + " round trips of " + size + " B, " + latency.lost +
                    " lost; first round trip (connect, launch if needed): " + Latency.micros(firstNs));
                out.println(Latency.header());
                out.println(latency.row("round trip"));
            }
            return 0 == latency.lost ? 0 : ErrorCode.SERVICE_FAILED.exitCode();
        }
    }
}

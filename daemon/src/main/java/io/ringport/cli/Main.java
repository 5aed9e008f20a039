package io.ringport.cli;

import io.ringport.client.Ringport;
import io.ringport.core.ErrorCode;
import io.ringport.core.RingportEnvironment;
import io.ringport.core.RingportException;
import io.ringport.core.control.ControlMessage.ServiceInfo;
import io.ringport.core.control.ControlProtocol;
import io.ringport.daemon.CountersFile;
import io.ringport.daemon.Daemon;
import io.ringport.daemon.DaemonContext;
import io.ringport.daemon.ServiceCounter;
import io.ringport.daemon.ServiceStats;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The {@code ringport} command line. Exit codes: 0 ok, 2 usage, 3 daemon not reachable, 4 unknown service,
 * 5 service failed.
 */
public final class Main
{
    static final String USAGE = String.join("\n",
        "usage: ringport COMMAND [OPTIONS]",
        "  daemon [--home DIR] [--services DIR]          run the bootstrap daemon in the foreground",
        "         [--class-data-dir DIR] [--no-class-data-sharing] [--no-class-data-training]",
        "  shutdown                                     stop the daemon and its services, remove its files",
        "  list [--json]                                services: name, state, pid, launches, connections",
        "  ping NAME [--count N] [--size B] [--json]    round trips through the bus (launches NAME on demand)",
        "  kickstart NAME [-k]                          start NAME now and wait for its check-in; -k: stop it first",
        "  stop NAME                                    stop NAME's instance (no keepAlive relaunch) and wait for it",
        "  register FILE                                load one definition file into the running daemon",
        "  unregister NAME                              stop NAME, invalidate its connections, forget it",
        "  stat [NAME] [--json]                         live counters per service, read from the counters file",
        "  bench [--quick] [--json]                     ringport vs raw shared memory vs unix socket vs tcp",
        "  demo                                         self-contained tour: daemon, on-demand launch, latency",
        "Environment: RINGPORT_HOME (default /dev/shm/ringport-$USER), RINGPORT_SERVICES (definitions directory).");

    private static final String NO_CLASS_DATA_SHARING = "--no-class-data-sharing";
    private static final String NO_CLASS_DATA_TRAINING = "--no-class-data-training";
    private static final String CLASS_DATA_DIR = "--class-data-dir";

    /** Longest wait for the daemon to finish an operation; its own timeouts (startTimeout, exitTimeout) bound it. */
    private static final Duration OPERATION_TIMEOUT = Duration.ofMinutes(10);

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
                    return daemon(new Args(command, args, 1, Set.of(NO_CLASS_DATA_SHARING, NO_CLASS_DATA_TRAINING),
                        Set.of("--home", "--services", CLASS_DATA_DIR)), err);
                case "shutdown":
                    new Args(command, args, 1, Set.of(), Set.of()).operands(0, "shutdown");
                    return shutdown(out);
                case "list":
                    return list(new Args(command, args, 1, Set.of("--json"), Set.of()), out);
                case "ping":
                    return ping(new Args(command, args, 1, Set.of("--json"), Set.of("--count", "--size")), out);
                case "kickstart":
                    return kickstart(new Args(command, args, 1, Set.of("-k"), Set.of()), out);
                case "stop":
                {
                    final String name = new Args(command, args, 1, Set.of(), Set.of()).operands(1, "stop NAME").get(0);
                    return operate("stopped", ringport -> ringport.stop(name, OPERATION_TIMEOUT), out);
                }
                case "register":
                    return register(new Args(command, args, 1, Set.of(), Set.of()), out);
                case "unregister":
                {
                    final String name =
                        new Args(command, args, 1, Set.of(), Set.of()).operands(1, "unregister NAME").get(0);
                    return operate("unregistered", ringport -> ringport.unregister(name, OPERATION_TIMEOUT), out);
                }
                case "stat":
                    return stat(new Args(command, args, 1, Set.of("--json"), Set.of()), out);
                case "demo":
                    new Args(command, args, 1, Set.of(), Set.of()).operands(0, "demo");
                    return new Demo(out, err).run();
                case "bench":
                {
                    final Args bench = new Args(command, args, 1, Set.of("--quick", "--json"), Set.of());
                    bench.operands(0, "bench [--quick] [--json]");
                    return new Bench(out, bench.flag("--quick"), bench.flag("--json")).run();
                }
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
        args.operands(0, "daemon [--home DIR] [--services DIR] [--class-data-dir DIR] [--no-class-data-sharing] " +
            "[--no-class-data-training]");
        final DaemonContext ctx = new DaemonContext().log(err).classDataSharing(!args.flag(NO_CLASS_DATA_SHARING))
            .classDataTraining(!args.flag(NO_CLASS_DATA_TRAINING));
        final String home = args.value("--home", null);
        final String services = args.value("--services", null);
        final String classDataDir = args.value(CLASS_DATA_DIR, null);
        if (null != classDataDir)
        {
            ctx.classDataDir(Path.of(classDataDir));
        }
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

    private static int kickstart(final Args args, final PrintStream out)
    {
        final String name = args.operands(1, "kickstart NAME [-k]").get(0);
        final boolean kill = args.flag("-k");
        return operate("kickstarted", ringport -> ringport.kickstart(name, kill, OPERATION_TIMEOUT), out);
    }

    private static int register(final Args args, final PrintStream out)
    {
        final Path file = Path.of(args.operands(1, "register FILE").get(0));
        return operate("registered", ringport -> ringport.register(file, OPERATION_TIMEOUT), out);
    }

    /** Send an operator request, wait for the daemon to carry it out, print the service's state after it. */
    private static int operate(final String done, final Function<Ringport, ServiceInfo> operation,
        final PrintStream out)
    {
        final ServiceInfo info;
        try (Ringport ringport = Ringport.open())
        {
            info = operation.apply(ringport);
        }
        out.println(done + " '" + info.name() + "': " + info.state() + (0 == info.pid() ? "" : ", pid " + info.pid()) +
            ", launches " + info.launches() + ", connections " + info.connections());
        return 0;
    }

    private static int stat(final Args args, final PrintStream out)
    {
        final List<String> names = args.operands(0, 1, "stat [NAME] [--json]");
        final Path home = RingportEnvironment.home();
        final List<ServiceStats> all;
        try (CountersFile counters = CountersFile.openReadOnly(home))
        {
            all = counters.read();
        }
        final List<ServiceStats> services = all.stream().filter(s -> names.isEmpty() || names.contains(s.name()))
            .toList();
        if (services.isEmpty() && !names.isEmpty())
        {
            throw new RingportException(ErrorCode.UNKNOWN_SERVICE, "service '" + names.get(0) +
                "' has no counters in " + home + " (known: " +
                all.stream().map(ServiceStats::name).collect(Collectors.joining(", ")) + ")");
        }
        if (args.flag("--json"))
        {
            final String objects = services.stream().map(Main::statJson).collect(Collectors.joining(","));
            out.println(names.isEmpty() ? "[" + objects + "]" : objects);
            return 0;
        }
        final StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-32s", "NAME"));
        for (final ServiceCounter counter : ServiceCounter.values())
        {
            header.append(String.format(Locale.ROOT, " %" + columnWidth(counter) + "s",
                counter.key().toUpperCase(Locale.ROOT)));
        }
        out.println(header);
        for (final ServiceStats stats : services)
        {
            final StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-32s", stats.name()));
            for (final ServiceCounter counter : ServiceCounter.values())
            {
                row.append(String.format(Locale.ROOT, " %" + columnWidth(counter) + "d", stats.get(counter)));
            }
            out.println(row);
        }
        return 0;
    }

    private static int columnWidth(final ServiceCounter counter)
    {
        return Math.max(counter.key().length(), 10);
    }

    private static String statJson(final ServiceStats stats)
    {
        final StringBuilder json = new StringBuilder("{\"name\":").append(Json.string(stats.name()));
        for (final ServiceCounter counter : ServiceCounter.values())
        {
            json.append(",\"").append(counter.key()).append("\":").append(stats.get(counter));
        }
        return json.append('}').toString();
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

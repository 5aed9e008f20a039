package io.ringport.cli;

import io.ringport.core.control.ControlMessage.ServiceInfo;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code ringport demo}: a private daemon, the echo service launched by the first message, round-trip latency
 * next to Unix domain and TCP sockets, then a shutdown that leaves no file behind.
 */
final class Demo
{
    private static final int SIZE = 32;
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
        try (PrivateBus bus = new PrivateBus())
        {
            try
            {
                out.println("Ringport demo: a private daemon in " + bus.home);
                out.println("  registered: " + describe(bus.ringport.listServices()));

                final Pinger pinger = new Pinger(bus.ringport.connect(PrivateBus.ECHO), SIZE);
                final long first = pinger.roundTrip(Pinger.LAUNCH_TIMEOUT_NS);
                out.println("  first message launched " + PrivateBus.ECHO + " on demand; its echo came back after " +
                    Latency.micros(first));
                out.println("  now: " + describe(afterCheckIn(bus)));

                out.println();
                out.println("Round trip of " + SIZE + " B messages, " + COUNT + " samples each, partner in another " +
                    "process:");
                final Latency ringport = Transports.ringport(pinger, COUNT);
                final Latency unix = Transports.unixSocket(bus.home, SIZE, COUNT);
                final Latency tcp = Transports.tcp(SIZE, COUNT);
                out.println(Latency.header());
                out.println(ringport.row("ringport"));
                out.println(unix.row("unix socket"));
                out.println(tcp.row("tcp loopback"));
                out.println(String.format(Locale.ROOT,
                    "  p50 ratios: unix socket / ringport = %.1f, tcp loopback / ringport = %.1f",
                    Transports.ratio(unix.p(50), ringport.p(50)), Transports.ratio(tcp.p(50), ringport.p(50))));
                if (ringport.lost > 0)
                {
                    err.println("ringport demo: " + ringport.lost + " echoes did not come back within 1 s");
                    return 5;
                }

                out.println();
                final boolean clean = bus.shutdown();
                out.println("Shut down: daemon and echo service stopped; " +
                    (clean ? "no file left behind." : "files left in " + bus.home + "!"));
                return clean ? 0 : 1;
            }
            catch (final Exception ex)
            {
                err.print(bus.daemonLog());
                throw ex;
            }
        }
    }

    /**
     * The services once the echo service's check-in has landed: it serves its first messages while its check-in
     * is still on the way, so right after the first echo it may still show as LAUNCHING.
     */
    private static List<ServiceInfo> afterCheckIn(final PrivateBus bus) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<ServiceInfo> services = bus.ringport.listServices();
        while (services.stream().anyMatch(s -> "LAUNCHING".equals(s.state())) && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(10);
            services = bus.ringport.listServices();
        }
        return services;
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
}

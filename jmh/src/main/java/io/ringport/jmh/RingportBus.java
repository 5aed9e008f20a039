package io.ringport.jmh;

import io.ringport.client.Ringport;
import io.ringport.core.control.ControlMessage.ServiceInfo;
import io.ringport.daemon.Daemon;
import io.ringport.daemon.DaemonContext;
import io.ringport.jmh.partner.RingportPartner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * A private Ringport daemon running in the benchmark JVM, with a home in {@code /dev/shm} and a services directory
 * that defines one benchmark service per role, wait mode and ring size ({@link #service}). Each service's command
 * runs {@link RingportPartner} from this JVM's class path ({@code ${RINGPORT_CLASSPATH}}, the benchmarks jar).
 */
public final class RingportBus implements AutoCloseable
{
    /** The JVM flags of a service beyond {@code ${RINGPORT_JVM_OPTS}}, as the example echo service has them. */
    public static final List<String> SERVICE_JVM_FLAGS = List.of(JvmFlags.SERIAL_GC, "-Xss512k");

    /** How long a trained bus waits after its training run before it is used. */
    private static final long SETTLE_MS = 500;

    private static final int[] CAPACITIES = {Sizing.SMALL_RING, Sizing.LARGE_RING};
    /**
     * The class-data archives of every bus in this JVM: a daemon whose home outlives its services, as a real one
     * does, so that a service's first launch in a fork writes its archive and later launches start from it.
     */
    private static Scratch classData;

    private final Scratch home;
    private final Scratch services;
    /** The class-data archives of a trained bus, its own; null for the archives shared by every bus. */
    private final Scratch trainedClassData;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final Daemon daemon;
    private final Thread thread;

    /**
     * @param trainedService null for every benchmark service, sharing the JVM's class-data archives and without
     *                       training; else only this service, with a class-data directory of the bus's own and
     *                       class-data training on.
     */
    private RingportBus(
        final Scratch home, final Scratch services, final boolean classDataSharing, final String trainedService)
        throws IOException
    {
        this.home = home;
        this.services = services;
        writeDefinitions(services.dir(), trainedService);
        this.trainedClassData = null == trainedService ? null : Scratch.create("cds-trained-");
        try
        {
            daemon = new Daemon(new DaemonContext().home(home.dir()).servicesDir(services.dir())
                .classDataSharing(classDataSharing).classDataTraining(null != trainedService)
                .classDataDir(null == trainedService ? sharedClassDataDir() : trainedClassData.dir())
                .log(new PrintStream(log, true, UTF_8))).start();
        }
        catch (final IOException | RuntimeException ex)
        {
            if (null != trainedClassData)
            {
                trainedClassData.close();
            }
            throw ex;
        }
        thread = new Thread(daemon::run, "ringportd");
        thread.setDaemon(true);
        thread.start();
    }

    private static synchronized Path sharedClassDataDir()
    {
        if (null == classData)
        {
            classData = Scratch.create("cds-");
        }
        return classData.dir();
    }

    /**
     * Start a daemon in a fresh home, with class-data archives for its services unless the system property
     * {@code ringport.jmh.classDataSharing} is {@code false} (a JVMTI agent such as a profiler in the services'
     * {@code JAVA_TOOL_OPTIONS} cannot be combined with archive dumping).
     *
     * @return the running bus.
     */
    public static RingportBus start()
    {
        return start(Boolean.parseBoolean(System.getProperty("ringport.jmh.classDataSharing", "true")));
    }

    /**
     * Start a daemon in a fresh home.
     *
     * @param classDataSharing whether its services get class-data archives (shared by every bus of this JVM).
     * @return the running bus.
     */
    public static RingportBus start(final boolean classDataSharing)
    {
        return start(classDataSharing, null);
    }

    /**
     * Start a daemon in a fresh home with one service and no class-data archive, and wait until the daemon has
     * trained the service for one (class-data training), as a daemon does before a service's first launch ever.
     *
     * @param service the service's name, see {@link #service}.
     * @return the running bus, its service not launched yet.
     */
    public static RingportBus startTrained(final String service)
    {
        final RingportBus bus = start(true, service);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!bus.log().contains("'" + service + "' class-data archive "))
        {
            if (bus.log().contains("'" + service + "' not trained") || System.nanoTime() - deadline > 0)
            {
                bus.close();
                throw new IllegalStateException("no class-data archive trained for " + service + "; daemon log:\n" +
                    bus.log());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        if (!bus.log().matches("(?s).*'" + Pattern.quote(service) +
            "' class-data archive \\S+ saved.*"))
        {
            bus.close();
            throw new IllegalStateException("the training run of " + service + " saved no archive; daemon log:\n" +
                bus.log());
        }
        // The run has just exited: let the machine settle, as it has by the time a message comes after a training.
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(SETTLE_MS));
        return bus;
    }

    private static RingportBus start(final boolean classDataSharing, final String trainedService)
    {
        final Scratch home = Scratch.create("home-");
        final Scratch services = Scratch.create("services-");
        try
        {
            return new RingportBus(home, services, classDataSharing, trainedService);
        }
        catch (final IOException | RuntimeException ex)
        {
            home.close();
            services.close();
            throw ex instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException)ex;
        }
    }

    /**
     * The name of the benchmark service for a role, wait mode and ring capacity.
     *
     * @param role     echo or sink.
     * @param wait     how the service's listener waits.
     * @param capacity of its c2s and s2c rings, {@link Sizing#SMALL_RING} or {@link Sizing#LARGE_RING}.
     * @return e.g. {@code io.ringport.jmh.echo-busy-1m}.
     */
    public static String service(final Role role, final WaitMode wait, final int capacity)
    {
        return "io.ringport.jmh." + role.id() + "-" + wait.id() + "-" + (capacity >> 20) + "m";
    }

    /**
     * Open a client handle on this bus.
     *
     * @param wait how the handle's threads and sends wait.
     * @return the handle.
     */
    public Ringport open(final WaitMode wait)
    {
        return Ringport.open(wait.apply(new Ringport.Context().home(home.dir())));
    }

    /**
     * The process id of a running service.
     *
     * @param ringport a handle on this bus.
     * @param service  its name.
     * @return the pid.
     * @throws IllegalStateException when the service is not running.
     */
    public static long pid(final Ringport ringport, final String service)
    {
        for (final ServiceInfo info : ringport.listServices())
        {
            if (info.name().equals(service) && info.pid() > 0)
            {
                return info.pid();
            }
        }
        throw new IllegalStateException("service " + service + " is not running");
    }

    /**
     * What the daemon logged, for a failure report.
     *
     * @return the log text.
     */
    public String log()
    {
        return log.toString(UTF_8);
    }

    /** Stop the daemon and its services, and remove the home and the definitions. */
    public void close()
    {
        try
        {
            daemon.stop();
            thread.join(20_000);
            if (thread.isAlive())
            {
                System.err.println("ringport-jmh: the daemon did not stop within 20 s; its log:\n" + log());
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        finally
        {
            home.close();
            services.close();
            if (null != trainedClassData)
            {
                trainedClassData.close();
            }
        }
    }

    private static void writeDefinitions(final Path dir, final String only) throws IOException
    {
        final String flags = String.join(" ", SERVICE_JVM_FLAGS);
        for (final Role role : Role.values())
        {
            for (final WaitMode wait : WaitMode.values())
            {
                for (final int capacity : CAPACITIES)
                {
                    final String name = service(role, wait, capacity);
                    if (null != only && !only.equals(name))
                    {
                        continue;
                    }
                    final String text = "name = " + name + "\n" +
                        "command = ${JAVA} ${RINGPORT_JVM_OPTS} " + flags + " -cp ${RINGPORT_CLASSPATH} " +
                        RingportPartner.class.getName() + " " + role.id() + " " + wait.id() + "\n" +
                        "ring.c2s.capacity = " + (capacity >> 20) + "m\n" +
                        "ring.s2c.capacity = " + (capacity >> 20) + "m\n" +
                        "throttleInterval = 1s\n" +
                        "startTimeout = 30s\n" +
                        "exitTimeout = 5s\n";
                    Files.writeString(dir.resolve(name + ".properties"), text, UTF_8);
                }
            }
        }
    }
}

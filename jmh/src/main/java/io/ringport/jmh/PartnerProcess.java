package io.ringport.jmh;

import io.ringport.jmh.partner.PartnerMain;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * The other end of a benchmark, in a JVM of its own: started with the benchmark JVM's class path and
 * {@link JvmFlags}, ready once it prints a line starting with {@code ready}, stopped by closing its standard input
 * (and killed if it does not go). A shutdown hook kills whatever is still running when the benchmark JVM exits.
 */
public final class PartnerProcess implements AutoCloseable
{
    /** How long a partner may take to say it is ready. */
    public static final long READY_TIMEOUT_MS = 30_000;

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static
    {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "partner-kill"));
    }

    private final Process process;
    private final String readyLine;

    private PartnerProcess(final Process process, final String readyLine)
    {
        this.process = process;
        this.readyLine = readyLine;
    }

    /**
     * Start {@link PartnerMain} with arguments and wait until it is ready.
     *
     * @param args what the partner should be, see {@link PartnerMain}.
     * @return the running partner.
     * @throws IllegalStateException when it exits or stays silent past {@link #READY_TIMEOUT_MS}.
     */
    public static PartnerProcess start(final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(JvmFlags.ALL);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(PartnerMain.class.getName());
        command.addAll(List.of(args));
        return start(command);
    }

    /**
     * Start any command that prints a {@code ready} line, and wait for that line.
     *
     * @param command argv.
     * @return the running process.
     */
    public static PartnerProcess start(final List<String> command)
    {
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start " + command, ex);
        }
        LIVE.add(process);
        // One reader for the partner's whole life: the ready line completes the future, anything else the partner
        // prints is passed on, so that its pipe never fills.
        final CompletableFuture<String> ready = new CompletableFuture<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8)))
            {
                String line;
                while (null != (line = lines.readLine()))
                {
                    if (!ready.isDone() && line.startsWith("ready"))
                    {
                        ready.complete(line);
                    }
                    else
                    {
                        System.out.println("partner " + process.pid() + ": " + line);
                    }
                }
            }
            catch (final IOException ex)
            {
                // The partner is gone.
            }
            ready.complete(null);
        }, "partner-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        try
        {
            final String line = ready.get(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (null == line)
            {
                throw new IllegalStateException("partner " + command.subList(command.size() - Math.min(4,
                    command.size()), command.size()) + " exited before it was ready");
            }
            return new PartnerProcess(process, line);
        }
        catch (final TimeoutException | ExecutionException | InterruptedException | RuntimeException ex)
        {
            kill(process);
            throw ex instanceof IllegalStateException ise ? ise :
                new IllegalStateException("partner did not say ready within " + READY_TIMEOUT_MS + " ms", ex);
        }
    }

    /**
     * What the partner said when it became ready (e.g. {@code ready 41234} with a TCP port).
     *
     * @return the ready line.
     */
    public String readyLine()
    {
        return readyLine;
    }

    /**
     * The partner's process id.
     *
     * @return pid.
     */
    public long pid()
    {
        return process.pid();
    }

    /**
     * Wait for the partner to exit by itself.
     *
     * @param timeoutMs how long.
     * @return true when it exited.
     */
    public boolean waitFor(final long timeoutMs)
    {
        try
        {
            return process.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * The partner's exit status, once it has exited.
     *
     * @return the status, or -1 while it runs.
     */
    public int exitStatus()
    {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** Ask the partner to stop (end of its standard input), then kill it if it has not gone within 5 s. */
    public void close()
    {
        try
        {
            process.getOutputStream().close();
        }
        catch (final IOException ex)
        {
            // Already gone.
        }
        if (!waitFor(5_000))
        {
            kill(process);
        }
        LIVE.remove(process);
    }

    /**
     * The java launcher of the running JVM.
     *
     * @return path of {@code bin/java}.
     */
    public static String javaExecutable()
    {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void kill(final Process process)
    {
        process.destroyForcibly();
        try
        {
            process.waitFor(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        LIVE.remove(process);
    }
}

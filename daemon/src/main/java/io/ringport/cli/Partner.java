package io.ringport.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * An echo partner in a process of its own, run from this JVM's class path; it says {@code ready ...} on its first
 * line once it serves.
 */
final class Partner implements AutoCloseable
{
    final Process process;
    final String ready;

    private Partner(final Process process, final String ready)
    {
        this.process = process;
        this.ready = ready;
    }

    static Partner start(final String mainClass, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "-XX:+UseSerialGC",
            "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try
        {
            final String ready = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8)).readLine();
            if (null == ready || !ready.startsWith("ready"))
            {
                throw new IOException(mainClass + " did not start (said: " + ready + ")");
            }
            return new Partner(process, ready);
        }
        catch (final IOException | RuntimeException ex)
        {
            process.destroyForcibly();
            throw ex;
        }
    }

    /** Wait for the partner to exit on its own, then make sure it has. */
    public void close()
    {
        try
        {
            if (!process.waitFor(5, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}

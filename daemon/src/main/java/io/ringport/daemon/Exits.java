package io.ringport.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Waiting, on the calling thread, for processes that were asked to exit, and escalating when they do not: what the
 * daemon does at its own shutdown and, at start, with the orphans of a daemon that died. (The instances it stops
 * while it serves go through the same steps on its loop, without blocking it.)
 */
public final class Exits
{
    private static final Duration KILL_WAIT = Duration.ofSeconds(5);
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(5);

    /**
     * A process asked to exit.
     *
     * @param name        what to call it in the log.
     * @param process     the process.
     * @param exitTimeout its service's exitTimeout.
     */
    record Exiting(String name, ProcessHandle process, Duration exitTimeout)
    {
    }

    private Exits()
    {
    }

    /**
     * Wait up to each one's exitTimeout for the processes to exit; SIGTERM those still running, unless they had it
     * already; wait up to exitTimeout again; SIGKILL the rest.
     *
     * @param exiting    the processes, asked to exit (TERMINATION_IMMINENT) at about the same moment.
     * @param terminated whether they were sent SIGTERM with the request already.
     * @param ctx        for the log.
     */
    static void await(final List<Exiting> exiting, final boolean terminated, final DaemonContext ctx)
    {
        List<Exiting> running = waitFor(exiting);
        if (!terminated)
        {
            for (final Exiting process : running)
            {
                ctx.log(process.name() + " did not exit within exitTimeout " + process.exitTimeout() +
                    " of TERMINATION_IMMINENT; SIGTERM");
                process.process().destroy();
            }
            running = waitFor(running);
        }
        for (final Exiting process : running)
        {
            ctx.log(process.name() + " did not exit within exitTimeout " + process.exitTimeout() +
                " of SIGTERM; SIGKILL");
            process.process().destroyForcibly();
        }
        final long deadline = System.nanoTime() + KILL_WAIT.toNanos();
        for (final Exiting process : running)
        {
            exited(process.process(), deadline);
        }
    }

    /**
     * Alive and not a zombie: an orphan's parent is gone, so its exit waits for init to reap it, which may take a
     * while, and until then the JDK calls it alive.
     *
     * @param process to look at.
     * @return true while it runs.
     */
    public static boolean isRunning(final ProcessHandle process)
    {
        if (!process.isAlive())
        {
            return false;
        }
        try
        {
            final String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"), UTF_8);
            // "pid (command) state ...": the command may hold anything, so the state follows the last ')'.
            final int end = stat.lastIndexOf(')');
            return end < 0 || end + 2 >= stat.length() || 'Z' != stat.charAt(end + 2);
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /** Wait, from now, up to each one's exitTimeout; return those still running. */
    private static List<Exiting> waitFor(final List<Exiting> exiting)
    {
        final long start = System.nanoTime();
        final List<Exiting> running = new ArrayList<>();
        for (final Exiting process : exiting)
        {
            if (!exited(process.process(), start + process.exitTimeout().toNanos()))
            {
                running.add(process);
            }
        }
        return running;
    }

    /** Poll every few milliseconds: the JDK's wait for a process that is not our child sleeps 300 ms and more. */
    private static boolean exited(final ProcessHandle process, final long deadlineNs)
    {
        while (isRunning(process))
        {
            if (System.nanoTime() - deadlineNs >= 0)
            {
                return false;
            }
            LockSupport.parkNanos(POLL_NS);
        }
        return true;
    }
}

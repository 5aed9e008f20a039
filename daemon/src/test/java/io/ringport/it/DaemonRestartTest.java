package io.ringport.it;

import io.ringport.client.Connection;
import io.ringport.client.ConnectionEvent;
import io.ringport.client.Ringport;
import io.ringport.core.ErrorCode;
import io.ringport.core.RingportException;
import io.ringport.daemon.CountersFileDescriptor;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;

import static io.ringport.it.LaunchOnDemandTest.TIMEOUT;
import static io.ringport.it.LaunchOnDemandTest.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon killed with SIGKILL and started again on the same home: what keeps working, what fails clearly, and
 * how the new daemon takes the home back.
 */
class DaemonRestartTest
{
    @Test
    void establishedConnectionsOutliveTheDaemonAndARestartedOneStopsTheOrphansSweepsAndServes() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.survivor").start();
            Ringport ringport = daemon.open())
        {
            final RecordedEvents events = new RecordedEvents();
            final Connection established = ringport.connect("test.survivor").setEventHandler(events).resume();
            established.requestSync(bytes("Eup"), TIMEOUT);
            final long orphanPid = daemon.service("test.survivor").pid();
            final List<String> filesBefore = daemon.ringFiles();
            assertTrue(Files.exists(daemon.home.resolve("instances")), "the daemon records what it runs");

            daemon.kill9();

            assertEquals("still flowing", new String(
                established.requestSync(bytes("Estill flowing"), TIMEOUT).toByteArray()),
                "an established connection needs no daemon");
            final RingportException unreachable = assertThrows(RingportException.class, daemon::open);
            assertEquals(ErrorCode.DAEMON_UNREACHABLE, unreachable.code());
            assertTrue(unreachable.getMessage().contains("daemon not reachable"), unreachable.getMessage());
            final RingportException newConnect = assertThrows(RingportException.class,
                () -> ringport.connect("test.survivor").requestSync(bytes("Enew"), TIMEOUT));
            assertEquals(ErrorCode.DAEMON_UNREACHABLE, newConnect.code());
            assertTrue(TestDaemon.isRunning(orphanPid), "the orphan runs on");

            daemon.start();

            assertFalse(TestDaemon.isRunning(orphanPid), "the orphan is gone before the new daemon listens");
            assertEquals(ConnectionEvent.CLOSED, events.await(ConnectionEvent.CLOSED).event(),
                "the orphan closed its connections as it was asked to exit");
            assertTrue(daemon.ringFiles().stream().noneMatch(filesBefore::contains),
                "the dead daemon's files are swept: " + daemon.ringFiles() + " vs " + filesBefore);
            final String log = daemon.log();
            assertTrue(log.contains("stopping 'test.survivor' (pid " + orphanPid + "), left running by a daemon that " +
                "died"), log);
            assertTrue(log.contains("sweeping port-"), log);

            assertEquals("again", new String(established.requestSync(bytes("Eagain"), TIMEOUT).toByteArray()),
                "the same connection reconnects through the new daemon");
            try (Ringport fresh = daemon.open())
            {
                assertEquals("new", new String(
                    fresh.connect("test.survivor").requestSync(bytes("Enew"), TIMEOUT).toByteArray()));
            }
            assertEquals(1, daemon.service("test.survivor").launches(), "one instance, launched by the new daemon");
            assertTrue(Files.exists(daemon.home.resolve(CountersFileDescriptor.FILE_NAME)));
        }
    }

    @Test
    void aDaemonStartedBesideALiveOneWhoseSocketIsGoneLeavesItsServicesAlone() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create().defineTestService("test.held").start();
            Ringport ringport = daemon.open())
        {
            final Connection connection = ringport.connect("test.held");
            connection.requestSync(bytes("Eup"), TIMEOUT);
            final long servicePid = daemon.service("test.held").pid();
            Files.delete(daemon.home.resolve("bootstrap.sock"));

            final CliTest.Run second = daemon.secondDaemon();
            assertEquals(2, second.exit(), second.err());
            assertTrue(second.err().contains("daemon pid " + daemon.process().pid() + " still runs the services listed " +
                "in " + daemon.home.resolve("instances")), second.err());
            assertTrue(TestDaemon.isRunning(servicePid), "the live daemon's instance is not an orphan");
            assertEquals("still", new String(connection.requestSync(bytes("Estill"), TIMEOUT).toByteArray()));
        }
    }

    @Test
    void anOrphanThatIgnoresTerminationIsKilledBeforeTheNewDaemonServes() throws Exception
    {
        try (TestDaemon daemon = TestDaemon.create()
            .defineTestService("test.stubborn", "environment.BLOCK_SHUTDOWN = true", "exitTimeout = 200ms")
            .start();
            Ringport ringport = daemon.open())
        {
            ringport.connect("test.stubborn").requestSync(bytes("Eup"), TIMEOUT);
            final long orphanPid = daemon.service("test.stubborn").pid();

            daemon.kill9();
            daemon.start();

            assertFalse(TestDaemon.isRunning(orphanPid), "the orphan is gone before the new daemon listens");
            final String log = daemon.log();
            assertTrue(log.contains("'test.stubborn' (pid " + orphanPid + ") did not exit within exitTimeout " +
                "PT0.2S of SIGTERM; SIGKILL"), log);
            try (Ringport fresh = daemon.open())
            {
                assertEquals("served", new String(
                    fresh.connect("test.stubborn").requestSync(bytes("Eserved"), TIMEOUT).toByteArray()));
            }
        }
    }
}

package io.ringport.it;

import io.ringport.client.ConnectionEvent;
import io.ringport.client.EventHandler;
import io.ringport.client.Message;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An event handler that keeps every connection event with the time it arrived, for tests to wait on and check.
 */
final class RecordedEvents implements EventHandler
{
    /** One event as the handler saw it. */
    record Event(ConnectionEvent event, String reason, long nanoTime)
    {
    }

    final List<Event> events = new CopyOnWriteArrayList<>();

    public void onMessage(final Message message)
    {
    }

    public void onEvent(final ConnectionEvent event, final String reason)
    {
        events.add(new Event(event, reason, System.nanoTime()));
    }

    /** Wait for the first event of one of these kinds and return it. */
    Event await(final ConnectionEvent... kinds)
    {
        final List<ConnectionEvent> wanted = List.of(kinds);
        TestDaemon.await(wanted + " event", () -> events.stream().anyMatch(e -> wanted.contains(e.event())));
        return events.stream().filter(e -> wanted.contains(e.event())).findFirst().orElseThrow();
    }

    List<ConnectionEvent> kinds()
    {
        return events.stream().map(Event::event).toList();
    }
}

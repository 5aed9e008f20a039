package io.ringport.core.control;

/**
 * A decoded control frame: the request id it answers or carries, and the message.
 *
 * @param requestId id chosen by the requester, 0 for events.
 * @param message   the message.
 */
public record ControlFrame(long requestId, ControlMessage message)
{
}

package io.ringport.daemon;

import io.ringport.core.control.ControlMessage;

import java.io.IOException;

/**
 * An operator's request that the daemon answers later, once the service got where the request waits for it to be.
 *
 * @param session   that sent the request.
 * @param requestId of the request, repeated in the answer.
 */
record PendingAnswer(Session session, long requestId)
{
    /** Send the answer; a session closed meanwhile gets nothing. */
    void answer(final ControlMessage message) throws IOException
    {
        session.send(requestId, message);
    }
}

package io.ringport.client;

/**
 * Who is at the other end of a connection, as the daemon saw it through {@code SO_PEERCRED}.
 *
 * @param uid user id of the client process.
 * @param gid group id of the client process.
 * @param pid process id of the client.
 */
public record Credentials(int uid, int gid, long pid)
{
}

package io.ringport.client;

/**
 * Who is at the other end of a connection, as the daemon saw it: the user and group come from the kernel
 * ({@code SO_PEERCRED}); the pid is the one the client stated, which the daemon checked to be a live process of that
 * same user (the JDK does not expose the kernel's pid; processes of one user can vouch for each other anyway).
 *
 * @param uid user id of the client process.
 * @param gid group id of the client process.
 * @param pid process id of the client.
 */
public record Credentials(int uid, int gid, long pid)
{
}

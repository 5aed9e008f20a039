package io.ringport.client;

/**
 * Who is at the other end of a connection, as the daemon saw it: the kernel names the user and group
 * ({@code SO_PEERCRED}); the pid is the one the client stated, which the daemon checked to be a live process owned by
 * that same user, and the uid and gid are those of that process (the JDK does not expose the kernel's pid;
 * processes of one user can vouch for each other anyway).
 *
 * @param uid user id of the client process.
 * @param gid group id of the client process.
 * @param pid process id of the client.
 */
public record Credentials(int uid, int gid, long pid)
{
}

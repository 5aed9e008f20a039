package io.ringport.daemon;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.channels.SocketChannel;

/**
 * Who is at the other end of a control session, as the kernel vouches for it.
 * <p>
 * {@code SO_PEERCRED} gives the JDK the peer's user and group names but not its pid; the peer states its pid in
 * HELLO, and the daemon accepts it only when {@code /proc/<pid>} exists and belongs to that same user.
 *
 * @param pid   the peer's process id.
 * @param uid   its user id.
 * @param gid   its group id.
 * @param user  its user name.
 * @param group its group name.
 */
record PeerCredentials(long pid, int uid, int gid, String user, String group)
{
    static PeerCredentials verify(final SocketChannel channel, final long statedPid) throws IOException
    {
        final UnixDomainPrincipal principal = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
        final String user = principal.user().getName();
        final String group = principal.group().getName();
        final Path proc = Path.of("/proc", Long.toString(statedPid));
        if (statedPid <= 0 || !Files.isDirectory(proc))
        {
            throw new IOException("stated pid " + statedPid + " is not a running process");
        }
        final String owner = Files.getOwner(proc, LinkOption.NOFOLLOW_LINKS).getName();
        if (!owner.equals(user))
        {
            throw new IOException("stated pid " + statedPid + " belongs to '" + owner + "', the socket peer is '" +
                user + "'");
        }
        final int uid = (Integer)Files.getAttribute(proc, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        final int gid = (Integer)Files.getAttribute(proc, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        return new PeerCredentials(statedPid, uid, gid, user, group);
    }
}

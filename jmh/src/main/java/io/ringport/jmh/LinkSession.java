package io.ringport.jmh;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The life of one {@link Link} for a whole trial: opened before it, closed after it. A benchmark's {@code @State}
 * extends it with its own {@code @Param}s and says how to open the link.
 */
public abstract class LinkSession
{
    Link link;

    /**
     * Open the link this state describes.
     *
     * @return the open link: its partner runs.
     */
    abstract Link openLink();

    /** Start the partner and connect. */
    @Setup(Level.Trial)
    public void open()
    {
        link = openLink();
    }

    /** Stop the partner. */
    @TearDown(Level.Trial)
    public void close()
    {
        if (null != link)
        {
            link.close();
        }
    }
}

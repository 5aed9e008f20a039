package io.ringport.jmh.partner;

/**
 * The bare JVM start that a cold launch is compared with: prints {@code ready} and exits.
 */
public final class Hello
{
    private Hello()
    {
    }

    /**
     * Entry point.
     *
     * @param args ignored.
     */
    public static void main(final String[] args)
    {
        System.out.println("ready");
    }
}

package io.ringport.it;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Command lines for Java processes that run this test classpath with the flags every Ringport JVM needs.
 */
final class Processes
{
    private Processes()
    {
    }

    static List<String> java(final String mainClass, final String... args)
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED",
            "-Dchronicle.analytics.disable=true",
            "-XX:+UseSerialGC",
            "-cp", System.getProperty("java.class.path"),
            mainClass));
        command.addAll(List.of(args));
        return command;
    }
}

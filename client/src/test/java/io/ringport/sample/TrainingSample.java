package io.ringport.sample;

import org.agrona.collections.Int2IntHashMap;

/**
 * Stands for a service's classes in the class-data training tests: a main class, a class it names and one only that
 * one names ({@link TrainingSampleDeep}). Outside Ringport's packages, whose classes a training run does not follow.
 * Each static initialiser would set {@link #INITIALISED}.
 */
public final class TrainingSample
{
    /** The system property a static initialiser here sets, to the name of its class. */
    public static final String INITIALISED = "ringport.test.training.initialised";

    private TrainingSample()
    {
    }

    /** The main class. */
    public static final class Main
    {
        static
        {
            System.setProperty(INITIALISED, "main");
        }

        private final Handler[] handlers = {new Handler()};
        private final Int2IntHashMap counts = new Int2IntHashMap(0);

        /**
         * Something to use its fields.
         *
         * @return how many handlers and counts.
         */
        public String describe()
        {
            return handlers.length + " " + counts.size();
        }
    }

    /** A class the main class names. */
    public static final class Handler
    {
        static
        {
            System.setProperty(INITIALISED, "handler");
        }

        private final TrainingSampleDeep[][] deep = new TrainingSampleDeep[1][1];

        /**
         * Something to use its field.
         *
         * @return the inner length.
         */
        public int depth()
        {
            return deep[0].length;
        }
    }
}

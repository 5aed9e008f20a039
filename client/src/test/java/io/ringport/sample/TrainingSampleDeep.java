package io.ringport.sample;

/**
 * A class of the training sample that only {@link TrainingSample.Handler} names, and only as the element of an array
 * type: a top-level class, so that no nest or inner-class entry names it too.
 */
public final class TrainingSampleDeep
{
    static
    {
        System.setProperty(TrainingSample.INITIALISED, "deep");
    }
}

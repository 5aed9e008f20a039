/*
 * syscall(2) for the JVM: the futex doorbell of Ringport's blocking wait strategy (io.ringport.core.wait.Futex).
 *
 * One JNI function instead of JNA's generic call path: a thread that wakes after an idle pause takes about half as
 * long to make its first call this way (measured here: 8-9 us against 16 us for FUTEX_WAKE after 20 ms idle), an
 * expected error such as ETIMEDOUT needs no exception, and a new JVM is ready to call it in about 15 ms where JNA's
 * set-up took about 105 ms (docs/architecture.md, "System calls").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jni.h>
#include <unistd.h>

/* The call's result, or minus its error number. */
JNIEXPORT jlong JNICALL Java_io_ringport_core_wait_NativeSyscall_invoke(
    JNIEnv *env, jclass type, jlong number, jlong a1, jlong a2, jlong a3, jlong a4, jlong a5)
{
    (void)env;
    (void)type;
    const long result = syscall((long)number, (long)a1, (long)a2, (long)a3, (long)a4, (long)a5);
    return -1 == result ? -(jlong)errno : (jlong)result;
}

package dev.tugboat.runtime.cgroups;

import java.time.Duration;

/** A time limit for waiting on the kernel (tasks exiting, a freeze settling), with a growing pause between polls. */
final class Deadline {

    private static final long MAX_PAUSE_MILLIS = 20;

    private final long endNanos;
    private long pauseMillis = 1;

    Deadline(Duration timeout) {
        this.endNanos = System.nanoTime() + timeout.toNanos();
    }

    boolean expired() {
        return System.nanoTime() - endNanos > 0;
    }

    void pause() {
        try {
            Thread.sleep(pauseMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CgroupException("interrupted while waiting for the kernel", e);
        }
        pauseMillis = Math.min(pauseMillis * 2, MAX_PAUSE_MILLIS);
    }
}

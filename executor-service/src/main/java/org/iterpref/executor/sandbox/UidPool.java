package org.iterpref.executor.sandbox;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Unprivileged uids handed out one per running sandbox, so that no two concurrent executions
 * share a uid. RLIMIT_NPROC counts every process of a uid, so sandboxes that shared a uid would
 * share one process budget, and could signal or ptrace each other's processes; with a uid each,
 * one sandbox's fork bomb cannot starve another.
 */
public final class UidPool {

    private static final long WAIT_SECONDS = 30;

    private final BlockingQueue<Integer> free;
    private final String countProperty;

    /**
     * @param countProperty the setting that sizes the pool, named in the error when it runs dry
     */
    public UidPool(int base, int count, String countProperty) {
        if (base < 1000 || count < 1) {
            throw new IllegalArgumentException("a sandbox uid pool needs a base of at least 1000 and a positive "
                    + "count, not base " + base + " and count " + count);
        }
        this.free = new ArrayBlockingQueue<>(count);
        this.countProperty = countProperty;
        for (int uid = base; uid < base + count; uid++) {
            free.add(uid);
        }
    }

    /** A uid no other running sandbox holds; waits up to 30 s for one. */
    public int acquire() {
        try {
            Integer uid = free.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            if (uid == null) {
                throw new SandboxException("no free sandbox uid after " + WAIT_SECONDS + " s; raise " + countProperty);
            }
            return uid;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while waiting for a sandbox uid", e);
        }
    }

    public void release(int uid) {
        free.add(uid);
    }
}

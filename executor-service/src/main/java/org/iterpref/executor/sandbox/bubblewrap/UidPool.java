package org.iterpref.executor.sandbox.bubblewrap;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.iterpref.executor.sandbox.SandboxException;

/**
 * Unprivileged uids handed out one per running sandbox. RLIMIT_NPROC counts every process of
 * a uid, so sandboxes that shared a uid would share one process budget; with a uid each, one
 * sandbox's fork bomb cannot starve another.
 */
final class UidPool {

    private final BlockingQueue<Integer> free;

    UidPool(int base, int count) {
        this.free = new ArrayBlockingQueue<>(count);
        for (int uid = base; uid < base + count; uid++) {
            free.add(uid);
        }
    }

    int acquire() {
        try {
            Integer uid = free.poll(30, TimeUnit.SECONDS);
            if (uid == null) {
                throw new SandboxException("no free sandbox uid after 30 s; raise iterpref.executor.bubblewrap.uid-count");
            }
            return uid;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while waiting for a sandbox uid", e);
        }
    }

    void release(int uid) {
        free.add(uid);
    }
}

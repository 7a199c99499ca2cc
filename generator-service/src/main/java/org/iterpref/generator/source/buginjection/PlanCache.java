package org.iterpref.generator.source.buginjection;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** A small thread-safe LRU cache of mutation plans, which are pure functions of their key. */
final class PlanCache {

    /** What a plan depends on: the task (and its reference, in case it changed), seed and sample. */
    record Key(UUID taskId, long seed, int sample, String reference) {
    }

    private final Map<Key, MutationPlan> plans;

    PlanCache(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("cache capacity must be >= 0, was " + capacity);
        }
        this.plans = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, MutationPlan> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized MutationPlan get(Key key) {
        return plans.get(key);
    }

    synchronized void put(Key key, MutationPlan plan) {
        plans.put(key, plan);
    }

    synchronized int size() {
        return plans.size();
    }
}

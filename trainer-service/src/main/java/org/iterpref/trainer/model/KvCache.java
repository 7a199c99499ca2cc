package org.iterpref.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * Per-layer key and value cache for incremental decoding. Each layer holds its keys and values
 * {@code [B, Hkv, T, d]} (keys already rotated at their absolute positions, before the grouped-query
 * repeat). A decoding step appends its new keys and values to every layer, then {@link #advance}s
 * the committed length {@code T}, which is the absolute position of the next token. The arrays live
 * in the cache's own manager: replaced arrays are freed on append, the rest on {@link #close}.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private int length;

    /** An empty cache for {@code layers} layers, its arrays in a sub-manager of {@code parent}. */
    public KvCache(int layers, NDManager parent) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** The committed length: how many positions every layer holds. */
    public int length() {
        return length;
    }

    /** The number of layers. */
    public int layers() {
        return keys.length;
    }

    /**
     * Appends this step's {@code k} and {@code v} ({@code [B, Hkv, n, d]}) to layer {@code layer} and
     * returns the layer's full keys and values {@code [B, Hkv, T+n, d]}, owned by the cache.
     */
    NDList append(int layer, NDArray k, NDArray v) {
        keys[layer] = concat(keys[layer], k);
        values[layer] = concat(values[layer], v);
        return new NDList(keys[layer], values[layer]);
    }

    /** Commits {@code n} appended positions (call once per step, after every layer appended). */
    void advance(int n) {
        length += n;
    }

    private NDArray concat(NDArray old, NDArray step) {
        NDArray full = old == null ? step.duplicate() : NDArrays.concat(new NDList(old, step), 2);
        full.attach(manager);
        if (old != null) {
            old.close();
        }
        return full;
    }

    /** Frees the cached arrays. */
    @Override
    public void close() {
        manager.close();
    }
}

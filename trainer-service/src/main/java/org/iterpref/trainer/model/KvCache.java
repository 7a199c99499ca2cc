package org.iterpref.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Per-layer key and value cache for incremental decoding. Each layer holds its keys and values
 * {@code [B, Hkv, T, d]} (keys already rotated at their absolute positions, before the grouped-query
 * repeat). A decoding step appends its new keys and values to every layer, then {@link #advance}s
 * the committed length {@code T}, which is the absolute position of the next token.
 *
 * <p>The positions are written in place into per-layer buffers {@code [B, Hkv, capacity, d]}
 * that grow by doubling (so a step copies only its own positions, not the whole prefix); layers
 * hand out views of the filled part. The buffers live in the cache's own manager, freed on
 * {@link #close}.
 */
public final class KvCache implements AutoCloseable {

    /** Positions the buffers start with (they double when full). */
    static final int INITIAL_CAPACITY = 64;

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private int length;
    private RotaryEmbedding.Tables rotaryTables;

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
     * returns the layer's full keys and values {@code [B, Hkv, T+n, d]}: views of the cache's buffers
     * that belong to {@code k}'s manager (the step's scope), so that they — and whatever the step
     * derives from them: DJL puts a unary operation's result in its operand's manager — are freed
     * with the step rather than kept until the cache closes.
     */
    NDList append(int layer, NDArray k, NDArray v) {
        int n = Math.toIntExact(k.getShape().get(2));
        keys[layer] = write(keys[layer], k, n);
        values[layer] = write(values[layer], v, n);
        NDIndex filled = new NDIndex().addAllDim(2).addSliceDim(0, length + n);
        NDArray fullKeys = keys[layer].get(filled);
        NDArray fullValues = values[layer].get(filled);
        fullKeys.attach(k.getManager());
        fullValues.attach(v.getManager());
        return new NDList(fullKeys, fullValues);
    }

    /** Writes {@code step}'s {@code n} positions at {@link #length()} into {@code buffer}, grown if full. */
    private NDArray write(NDArray buffer, NDArray step, int n) {
        long capacity = buffer == null ? 0 : buffer.getShape().get(2);
        if (length + n > capacity) {
            Shape s = step.getShape();
            long grown = Math.max(length + n, Math.max(INITIAL_CAPACITY, 2 * capacity));
            // uninitialised: only the filled positions are ever read
            NDArray larger = manager.create(new Shape(s.get(0), s.get(1), grown, s.get(3)), step.getDataType());
            if (buffer != null) {
                NDIndex filled = new NDIndex().addAllDim(2).addSliceDim(0, length);
                try (NDArray old = buffer.get(filled)) {
                    larger.set(filled, old);
                }
                buffer.close();
            }
            buffer = larger;
        }
        buffer.set(new NDIndex().addAllDim(2).addSliceDim(length, length + n), step);
        return buffer;
    }

    /**
     * {@code rotary}'s angle tables in {@code dtype} for this step's {@code n} positions from
     * {@link #length()} on: made by the first layer that asks, reused by the others, freed when the
     * next step asks.
     */
    RotaryEmbedding.Tables rotaryTables(RotaryEmbedding rotary, int n, DataType dtype) {
        if (rotaryTables == null || !rotaryTables.covers(rotary, length, n, dtype)) {
            if (rotaryTables != null) {
                rotaryTables.close();
            }
            rotaryTables = rotary.tables(manager, length, n, dtype);
        }
        return rotaryTables;
    }

    /** Commits {@code n} appended positions (call once per step, after every layer appended). */
    void advance(int n) {
        length += n;
    }

    /** Frees the cached arrays. */
    @Override
    public void close() {
        manager.close();
    }
}

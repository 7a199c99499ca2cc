package org.iterpref.trainer.model;

/** Host-side helpers over one position's logits {@code [vocab]}. */
public final class Logits {

    private Logits() {
    }

    /** The index of the largest logit (the first one on ties, as {@code torch.argmax}). */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** {@code log_softmax(logits)}, computed stably in double precision. */
    public static double[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit);
        }
        double sum = 0;
        for (float logit : logits) {
            sum += Math.exp(logit - max);
        }
        double logSum = max + Math.log(sum);
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = logits[i] - logSum;
        }
        return out;
    }

    /**
     * The indices of the {@code k} largest values, largest first (lower index first on ties), in
     * {@code O(n log k)}.
     */
    public static int[] topK(double[] values, int k) {
        int size = Math.min(k, values.length);
        int[] heap = new int[size];
        int count = 0;
        for (int i = 0; i < values.length; i++) {
            if (count < size) {
                heap[count++] = i;
                siftUp(heap, count - 1, values);
            } else if (size > 0 && better(i, heap[0], values)) {
                heap[0] = i;
                siftDown(heap, size, values);
            }
        }
        int[] sorted = new int[count];
        for (int n = count; n > 0; n--) {
            sorted[n - 1] = heap[0];
            heap[0] = heap[n - 1];
            siftDown(heap, n - 1, values);
        }
        return sorted;
    }

    /** Whether index {@code a} ranks above {@code b}: larger value, or equal value and lower index. */
    private static boolean better(int a, int b, double[] values) {
        return values[a] > values[b] || (values[a] == values[b] && a < b);
    }

    /** Min-heap (the worst kept index at the root). */
    private static void siftUp(int[] heap, int at, double[] values) {
        while (at > 0) {
            int parent = (at - 1) / 2;
            if (!better(heap[parent], heap[at], values)) {
                break;
            }
            swap(heap, parent, at);
            at = parent;
        }
    }

    private static void siftDown(int[] heap, int size, double[] values) {
        int at = 0;
        while (true) {
            int left = 2 * at + 1;
            int worst = at;
            if (left < size && better(heap[worst], heap[left], values)) {
                worst = left;
            }
            if (left + 1 < size && better(heap[worst], heap[left + 1], values)) {
                worst = left + 1;
            }
            if (worst == at) {
                return;
            }
            swap(heap, at, worst);
            at = worst;
        }
    }

    private static void swap(int[] heap, int a, int b) {
        int t = heap[a];
        heap[a] = heap[b];
        heap[b] = t;
    }
}

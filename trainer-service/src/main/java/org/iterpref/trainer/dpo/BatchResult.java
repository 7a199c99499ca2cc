package org.iterpref.trainer.dpo;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one global batch measured: per pair the policy's and the reference's sequence log-probs,
 * the losses, and the summary TRL logs.
 *
 * @param policyChosen π_c per pair
 * @param policyRejected π_r per pair
 * @param referenceChosen ref_c per pair
 * @param referenceRejected ref_r per pair
 * @param pairLosses {@code −log σ(margin)} per pair
 * @param loss mean pair loss + α·NLL
 * @param nll the NLL of the chosen labels, pooled
 * @param tokens tokens of every sequence (prompt and completion)
 */
record BatchResult(double[] policyChosen, double[] policyRejected, double[] referenceChosen,
                   double[] referenceRejected, double[] pairLosses, double beta, double loss, double nll,
                   long tokens) {

    /** β(π_c − ref_c) per pair. */
    double[] chosenRewards() {
        double[] r = new double[policyChosen.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = beta * (policyChosen[i] - referenceChosen[i]);
        }
        return r;
    }

    /** β(π_r − ref_r) per pair. */
    double[] rejectedRewards() {
        double[] r = new double[policyRejected.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = beta * (policyRejected[i] - referenceRejected[i]);
        }
        return r;
    }

    /** The batch's row of log history with TRL's names ({@code prefix} "" or "eval_"). */
    Map<String, Double> metrics(String prefix) {
        double[] chosen = chosenRewards();
        double[] rejected = rejectedRewards();
        double accuracy = 0;
        for (int i = 0; i < chosen.length; i++) {
            accuracy += chosen[i] > rejected[i] ? 1 : 0;
        }
        Map<String, Double> row = new LinkedHashMap<>();
        row.put(prefix + "loss", loss);
        row.put(prefix + "nll_loss", nll);
        row.put(prefix + "rewards/chosen", mean(chosen));
        row.put(prefix + "rewards/rejected", mean(rejected));
        row.put(prefix + "rewards/accuracies", accuracy / chosen.length);
        row.put(prefix + "rewards/margins", mean(chosen) - mean(rejected));
        row.put(prefix + "logps/chosen", mean(policyChosen));
        row.put(prefix + "logps/rejected", mean(policyRejected));
        return row;
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return values.length == 0 ? 0 : sum / values.length;
    }

    /** Collects a batch's micro-batches. */
    static final class Builder {

        private final FocalDpoLoss loss;
        private final double[] pc;
        private final double[] pr;
        private final double[] rc;
        private final double[] rr;
        private double negativeLogLikelihood;
        private long tokens;

        Builder(int pairs, FocalDpoLoss loss) {
            this.loss = loss;
            this.pc = new double[pairs];
            this.pr = new double[pairs];
            this.rc = new double[pairs];
            this.rr = new double[pairs];
        }

        void add(int pair, double policyChosen, double policyRejected, double refChosen, double refRejected) {
            pc[pair] = policyChosen;
            pr[pair] = policyRejected;
            rc[pair] = refChosen;
            rr[pair] = refRejected;
        }

        void addNll(double negativeLogProbSum, long microTokens) {
            negativeLogLikelihood += negativeLogProbSum;
            tokens += microTokens;
        }

        BatchResult build() {
            double[] losses = new double[pc.length];
            double mean = 0;
            for (int i = 0; i < pc.length; i++) {
                losses[i] = FocalDpoLoss.pairLoss(loss.margin(pc[i], pr[i], rc[i], rr[i]));
                mean += losses[i] / pc.length;
            }
            double nll = loss.chosenLabels() == 0 ? 0 : negativeLogLikelihood / loss.chosenLabels();
            return new BatchResult(pc, pr, rc, rr, losses, loss.beta(), mean + loss.alpha() * nll, nll, tokens);
        }
    }
}

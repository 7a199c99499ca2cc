package org.iterpref.trainer.dpo;

/**
 * The focal DPO objective over one global batch, on the host in double precision:
 * per pair {@code margin = β((π_c − ref_c) − (π_r − ref_r))} and {@code −log σ(margin)}; their
 * mean plus {@code α · NLL}, where NLL is minus the mean log-prob of every chosen label pooled over
 * the batch. {@code π} are sequence log-probs summed over each row's counted labels. Its partial
 * derivatives with respect to each label's log-prob ({@link #chosenCoefficient}, {@link
 * #rejectedCoefficient}) drive the backward pass.
 *
 * @param beta β
 * @param alpha α
 * @param pairs pairs in the global batch (the mean's denominator)
 * @param chosenLabels chosen labels in the global batch (the NLL's denominator)
 */
record FocalDpoLoss(double beta, double alpha, int pairs, long chosenLabels) {

    /** {@code β((π_c − ref_c) − (π_r − ref_r))}. */
    double margin(double policyChosen, double policyRejected, double refChosen, double refRejected) {
        return beta * ((policyChosen - refChosen) - (policyRejected - refRejected));
    }

    /** {@code −log σ(m)}, stably. */
    static double pairLoss(double margin) {
        return margin >= 0 ? Math.log1p(Math.exp(-margin)) : -margin + Math.log1p(Math.exp(margin));
    }

    /** {@code σ(x)}, stably. */
    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    /**
     * {@code dLoss/dlogp} of one chosen label of a pair with {@code margin}: through {@code π_c}
     * ({@code −β·σ(−m)/pairs}) and through the NLL ({@code −α/chosenLabels}).
     */
    double chosenCoefficient(double margin) {
        return -beta * sigmoid(-margin) / pairs - (chosenLabels == 0 ? 0 : alpha / chosenLabels);
    }

    /** {@code dLoss/dlogp} of one counted rejected label: {@code +β·σ(−m)/pairs}. */
    double rejectedCoefficient(double margin) {
        return beta * sigmoid(-margin) / pairs;
    }
}

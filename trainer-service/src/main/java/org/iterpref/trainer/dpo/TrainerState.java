package org.iterpref.trainer.dpo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a run stands, saved with every checkpoint as {@code trainer_state.json} (the keys of
 * transformers' {@code TrainerState}, so tools that read those files read these).
 *
 * @param globalStep optimizer steps taken
 * @param maxSteps optimizer steps of the whole run
 * @param stepsPerEpoch optimizer steps per pass over the training pairs
 * @param numTrainEpochs passes
 * @param seed the data-order seed (epoch {@code e} visits the pairs in the order of a shuffle seeded by
 *     {@code seed} and {@code e}; nothing else in a step is random, so this and the step are the whole
 *     random state)
 * @param trainedTokens tokens trained on so far
 * @param logHistory every metrics row so far, TRL's names
 */
record TrainerState(int globalStep, int maxSteps, int stepsPerEpoch, int numTrainEpochs, long seed,
                    long trainedTokens, List<Map<String, Double>> logHistory) {

    TrainerState {
        logHistory = List.copyOf(logHistory);
    }

    /** The fractional epoch after {@code globalStep} steps. */
    double epoch() {
        return (double) globalStep / stepsPerEpoch;
    }

    TrainerState advance(long tokens, List<Map<String, Double>> rows) {
        List<Map<String, Double>> history = new ArrayList<>(logHistory);
        history.addAll(rows);
        return new TrainerState(globalStep + 1, maxSteps, stepsPerEpoch, numTrainEpochs, seed, trainedTokens + tokens,
                history);
    }

    TrainerState withRows(List<Map<String, Double>> rows) {
        List<Map<String, Double>> history = new ArrayList<>(logHistory);
        history.addAll(rows);
        return new TrainerState(globalStep, maxSteps, stepsPerEpoch, numTrainEpochs, seed, trainedTokens, history);
    }

    /** As transformers writes {@code trainer_state.json}. */
    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("global_step", globalStep);
        json.put("epoch", epoch());
        json.put("max_steps", maxSteps);
        json.put("num_train_epochs", numTrainEpochs);
        json.put("steps_per_epoch", stepsPerEpoch);
        json.put("seed", seed);
        json.put("trained_tokens", trainedTokens);
        json.put("log_history", logHistory);
        return json;
    }

    @SuppressWarnings("unchecked")
    static TrainerState fromJson(Map<String, Object> json) {
        List<Map<String, Double>> history = new ArrayList<>();
        for (Object row : (List<Object>) json.get("log_history")) {
            Map<String, Double> values = new LinkedHashMap<>();
            ((Map<String, Object>) row).forEach((k, v) -> values.put(k, ((Number) v).doubleValue()));
            history.add(values);
        }
        return new TrainerState(((Number) json.get("global_step")).intValue(), ((Number) json.get("max_steps")).intValue(),
                ((Number) json.get("steps_per_epoch")).intValue(), ((Number) json.get("num_train_epochs")).intValue(),
                ((Number) json.get("seed")).longValue(), ((Number) json.get("trained_tokens")).longValue(), history);
    }
}

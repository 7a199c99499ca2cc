package org.iterpref.trainer.dpo;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.iterpref.trainer.serving.ModelChatTemplate;
import org.iterpref.trainer.tokenizer.TextTokenizer;

/**
 * A job's pairs as token ids, with what truncation did to them.
 *
 * @param training encoded training pairs ({@link EncodedPair#index()} = position in the job's list)
 * @param validation encoded validation pairs (their own positions)
 * @param dropped pairs left out: truncation cut away the whole error region, or a whole completion
 * @param regionCut pairs kept whose error region truncation cut in part
 * @param endToken the token that closes each completion
 * @param chat whether prompts were rendered with the chat template
 */
record PreparedData(List<EncodedPair> training, List<EncodedPair> validation, int dropped, int regionCut,
                    long endToken, boolean chat) {

    static PreparedData prepare(TrainingJob job, TextTokenizer tokenizer, ModelChatTemplate template) {
        DpoHyperparameters hp = job.hyperparameters();
        PromptRenderer renderer = new PromptRenderer(tokenizer, template, hp.promptFormat());
        PairEncoder encoder = new PairEncoder(tokenizer, renderer, hp.maxLength(), hp.maxPromptLength(), hp.focal());
        int[] counts = new int[2];
        List<EncodedPair> training = encode(encoder, job.training(), counts);
        List<EncodedPair> validation = encode(encoder, job.validation(), counts);
        return new PreparedData(training, validation, counts[0], counts[1], renderer.endToken(), renderer.chat());
    }

    private static List<EncodedPair> encode(PairEncoder encoder, List<TrainingPair> pairs, int[] counts) {
        List<EncodedPair> encoded = new ArrayList<>(pairs.size());
        for (int i = 0; i < pairs.size(); i++) {
            Optional<EncodedPair> pair = encoder.encode(i, pairs.get(i));
            if (pair.isEmpty()) {
                counts[0]++;
            } else {
                counts[1] += pair.get().regionCut() ? 1 : 0;
                encoded.add(pair.get());
            }
        }
        return encoded;
    }

    /** One line for the job's events. */
    String describe() {
        return training.size() + " training pairs, " + validation.size() + " validation pairs (prompts "
                + (chat ? "rendered with the chat template" : "as raw text") + ", end token " + endToken + "); "
                + dropped + " dropped because truncation left nothing to learn, " + regionCut
                + " kept with part of their error region cut away";
    }
}

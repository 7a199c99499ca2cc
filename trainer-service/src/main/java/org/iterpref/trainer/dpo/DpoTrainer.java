package org.iterpref.trainer.dpo;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Optional;
import org.iterpref.trainer.chat.ChatTemplateEngine;
import org.iterpref.trainer.config.TrainerProperties;
import org.iterpref.trainer.dpo.DpoHyperparameters.ReferenceMode;
import org.iterpref.trainer.model.DecoderModel;
import org.iterpref.trainer.model.Engines;
import org.iterpref.trainer.serving.ModelChatTemplate;
import org.iterpref.trainer.tokenizer.TextTokenizer;
import org.springframework.stereotype.Component;

/**
 * The focal DPO engine: loads the starting model afresh in float32 on the configured device (the
 * served copy is never trained), encodes the job's pairs, takes the reference log-probs, and runs
 * the steps ({@link TrainingRun}), resuming from the newest complete checkpoint in the job's work
 * directory. Float32 weights are the master weights; half-precision training (float16 compute with
 * loss scaling on a GPU) is not done here: a job on a GPU trains in float32.
 */
@Component
public class DpoTrainer implements FineTuningEngine {

    private final TrainerProperties properties;
    private final ChatTemplateEngine templates;

    public DpoTrainer(TrainerProperties properties, ChatTemplateEngine templates) {
        this.properties = properties;
        this.templates = templates;
    }

    @Override
    public Path train(TrainingJob job, TrainingReporter reporter) {
        DpoHyperparameters hp = job.hyperparameters();
        try (NDManager manager = Engines.newManager(properties.device());
             TextTokenizer tokenizer = TextTokenizer.open(job.baseModelDir())) {
            PreparedData data = PreparedData.prepare(job, tokenizer,
                    ModelChatTemplate.prepare(job.baseModel(), tokenizer, templates));
            reporter.event("info", "Prepared " + data.describe() + ".");
            if (data.training().isEmpty()) {
                throw new IllegalArgumentException("no training pair fits max_length " + hp.maxLength()
                        + " and max_prompt_length " + hp.maxPromptLength() + " with something left to learn");
            }
            Optional<TrainingCheckpoints.Saved> resume = TrainingCheckpoints.latest(job.workDir());
            DecoderModel policy = DecoderModel.load(resume.map(TrainingCheckpoints.Saved::dir)
                    .orElse(job.baseModelDir()), manager);
            References references = references(job, data, policy, resume.isPresent(), manager);
            policy.enableGradients();
            return new TrainingRun(job, data, policy, references, reporter, manager).run(resume);
        }
    }

    /** The reference log-probs: a stored table of the starting model's, or a frozen copy of it. */
    private References references(TrainingJob job, PreparedData data, DecoderModel policy, boolean resumed,
                                  NDManager manager) {
        int micro = job.hyperparameters().microBatchSize();
        if (job.hyperparameters().reference() == ReferenceMode.FROZEN_MODEL) {
            return References.frozen(DecoderModel.load(job.baseModelDir(), manager), data, micro);
        }
        if (!resumed) {
            // the policy has not been trained yet: it is the starting model
            return References.table(ReferenceLogProbs.loadOrCompute(job.workDir(), data, () -> policy, micro,
                    data.endToken()));
        }
        DecoderModel[] base = new DecoderModel[1];
        try {
            return References.table(ReferenceLogProbs.loadOrCompute(job.workDir(), data,
                    () -> base[0] = DecoderModel.load(job.baseModelDir(), manager), micro, data.endToken()));
        } finally {
            if (base[0] != null) {
                base[0].close();
            }
        }
    }
}

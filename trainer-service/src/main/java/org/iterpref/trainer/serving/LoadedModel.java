package org.iterpref.trainer.serving;

import org.iterpref.trainer.model.DecoderModel;
import org.iterpref.trainer.tokenizer.TextTokenizer;

/**
 * A served model: its weights, its tokenizer, its context length (prompt plus completion tokens)
 * and its chat template.
 *
 * @param name the name clients ask for ({@code model} in requests)
 * @param model the decoder
 * @param tokenizer its tokenizer
 * @param contextLength {@code max_position_embeddings} from {@code config.json}
 * @param chatTemplate its chat template, parsed once at load
 */
public record LoadedModel(String name, DecoderModel model, TextTokenizer tokenizer, int contextLength,
                          ModelChatTemplate chatTemplate) {
}

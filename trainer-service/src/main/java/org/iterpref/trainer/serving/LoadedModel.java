package org.iterpref.trainer.serving;

import org.iterpref.trainer.model.DecoderModel;
import org.iterpref.trainer.tokenizer.TextTokenizer;

/**
 * A served model: its weights, its tokenizer and its context length (prompt plus completion tokens).
 *
 * @param name the name clients ask for ({@code model} in requests)
 * @param model the decoder
 * @param tokenizer its tokenizer
 * @param contextLength {@code max_position_embeddings} from {@code config.json}
 */
public record LoadedModel(String name, DecoderModel model, TextTokenizer tokenizer, int contextLength) {
}

package org.iterpref.trainer.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * The decoder hyper-parameters of a Hugging Face {@code config.json}, for a supported
 * {@link Architecture}.
 *
 * <p>Defaults follow Hugging Face's {@code Qwen2Config} / {@code LlamaConfig} where a field is
 * optional (rope theta 10000, rms eps 1e-6, untied embeddings, one KV head per attention head);
 * the sizes are required. Features the trainer's decoder does not implement — rope scaling other
 * than Llama 3's, sliding window attention, Llama's {@code attention_bias}/{@code mlp_bias}, an
 * activation other than SiLU — are rejected rather than silently ignored, since ignoring them
 * would give wrong outputs.
 *
 * @param architecture          from {@code architectures[0]} (or {@code model_type})
 * @param hiddenSize            {@code hidden_size}
 * @param intermediateSize      {@code intermediate_size} (MLP width)
 * @param numHiddenLayers       {@code num_hidden_layers}
 * @param numAttentionHeads     {@code num_attention_heads}
 * @param numKeyValueHeads      {@code num_key_value_heads} (grouped-query attention), default = heads
 * @param headDim               {@code head_dim}, default hidden / heads
 * @param vocabSize             {@code vocab_size}
 * @param rmsNormEps            {@code rms_norm_eps}
 * @param ropeTheta             {@code rope_theta} (or {@code rope_parameters.rope_theta}), default 10000
 * @param ropeScaling           {@code rope_scaling} (or {@code rope_parameters}): none, or Llama 3's
 * @param maxPositionEmbeddings {@code max_position_embeddings}
 * @param tieWordEmbeddings     {@code tie_word_embeddings}: the LM head reuses the embedding matrix
 * @param torchDtype            {@code torch_dtype} (or {@code dtype}) as written, default "float32"
 * @param bosTokenId            {@code bos_token_id}, if any
 * @param eosTokenIds           {@code eos_token_id}: one id or a list; empty if none
 */
public record ModelConfig(Architecture architecture, int hiddenSize, int intermediateSize, int numHiddenLayers,
                          int numAttentionHeads, int numKeyValueHeads, int headDim, int vocabSize,
                          double rmsNormEps, double ropeTheta, RopeScaling ropeScaling, int maxPositionEmbeddings,
                          boolean tieWordEmbeddings, String torchDtype, OptionalInt bosTokenId,
                          List<Integer> eosTokenIds) {

    /** The file name read from a model directory. */
    public static final String FILE_NAME = "config.json";

    public ModelConfig {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(ropeScaling, "ropeScaling");
        Objects.requireNonNull(torchDtype, "torchDtype");
        Objects.requireNonNull(bosTokenId, "bosTokenId");
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /** Reads {@code dir/config.json}; a {@link CheckpointException} naming the file and field if unusable. */
    public static ModelConfig read(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file, null, "not found (a Hugging Face model directory needs one)");
        }
        ConfigFields fields = new ConfigFields(file, Json.readObject(file));
        Architecture architecture = ConfigChecks.architecture(fields);
        ConfigChecks.rejectUnsupportedFeatures(fields, architecture);
        int hidden = fields.requiredPositiveInt("hidden_size");
        int heads = fields.requiredPositiveInt("num_attention_heads");
        int kvHeads = fields.positiveInt("num_key_value_heads", heads);
        if (heads % kvHeads != 0) {
            throw fields.error("num_key_value_heads", kvHeads + " does not divide num_attention_heads " + heads);
        }
        return new ModelConfig(architecture, hidden, fields.requiredPositiveInt("intermediate_size"),
                fields.requiredPositiveInt("num_hidden_layers"), heads, kvHeads,
                ConfigChecks.headDim(fields, hidden, heads), fields.requiredPositiveInt("vocab_size"),
                fields.positiveDouble("rms_norm_eps", 1e-6), RopeFields.theta(fields), RopeFields.scaling(fields),
                fields.positiveInt("max_position_embeddings", architecture.defaultMaxPositionEmbeddings()),
                fields.bool("tie_word_embeddings", false),
                fields.string("torch_dtype", fields.string("dtype", "float32")),
                fields.tokenId("bos_token_id"), fields.tokenIds("eos_token_id"));
    }

    /** Attention heads sharing one key/value head. */
    public int queriesPerKeyValueHead() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /**
     * Every parameter this model has, with Hugging Face names and the shapes this config implies,
     * in checkpoint order: embeddings, each layer, final norm, then {@code lm_head.weight} unless
     * the embeddings are tied. Linear weights are {@code [out, in]} as PyTorch stores them.
     */
    public List<ParameterSpec> expectedParameters() {
        List<ParameterSpec> specs = new ArrayList<>();
        specs.add(new ParameterSpec("model.embed_tokens.weight", new long[] {vocabSize, hiddenSize}));
        for (int layer = 0; layer < numHiddenLayers; layer++) {
            specs.addAll(layerParameters(layer));
        }
        specs.add(new ParameterSpec("model.norm.weight", new long[] {hiddenSize}));
        if (!tieWordEmbeddings) {
            specs.add(new ParameterSpec("lm_head.weight", new long[] {vocabSize, hiddenSize}));
        }
        return List.copyOf(specs);
    }

    private List<ParameterSpec> layerParameters(int layer) {
        String prefix = "model.layers." + layer + ".";
        long q = (long) numAttentionHeads * headDim;
        long kv = (long) numKeyValueHeads * headDim;
        List<ParameterSpec> specs = new ArrayList<>();
        specs.add(new ParameterSpec(prefix + "input_layernorm.weight", new long[] {hiddenSize}));
        addProjection(specs, prefix + "self_attn.q_proj", q, hiddenSize, architecture.qkvBias());
        addProjection(specs, prefix + "self_attn.k_proj", kv, hiddenSize, architecture.qkvBias());
        addProjection(specs, prefix + "self_attn.v_proj", kv, hiddenSize, architecture.qkvBias());
        addProjection(specs, prefix + "self_attn.o_proj", hiddenSize, q, false);
        specs.add(new ParameterSpec(prefix + "post_attention_layernorm.weight", new long[] {hiddenSize}));
        addProjection(specs, prefix + "mlp.gate_proj", intermediateSize, hiddenSize, false);
        addProjection(specs, prefix + "mlp.up_proj", intermediateSize, hiddenSize, false);
        addProjection(specs, prefix + "mlp.down_proj", hiddenSize, intermediateSize, false);
        return specs;
    }

    private static void addProjection(List<ParameterSpec> specs, String name, long out, long in, boolean bias) {
        specs.add(new ParameterSpec(name + ".weight", new long[] {out, in}));
        if (bias) {
            specs.add(new ParameterSpec(name + ".bias", new long[] {out}));
        }
    }

    /** A one-line summary of the sizes, for logs and error messages. */
    public String describe() {
        return Arrays.stream(new String[] {
            architecture.hfName(), "hidden_size=" + hiddenSize, "intermediate_size=" + intermediateSize,
            "num_hidden_layers=" + numHiddenLayers, "num_attention_heads=" + numAttentionHeads,
            "num_key_value_heads=" + numKeyValueHeads, "head_dim=" + headDim, "vocab_size=" + vocabSize,
            "tie_word_embeddings=" + tieWordEmbeddings})
                .collect(Collectors.joining(", "));
    }
}

package org.iterpref.trainer.checkpoint;

import java.util.Locale;

/** The floating-point types a checkpoint's weights are written in, by their {@code torch_dtype} name. */
public enum TorchDtype {
    FLOAT32("float32", DType.F32),
    FLOAT16("float16", DType.F16),
    BFLOAT16("bfloat16", DType.BF16);

    private final String configName;
    private final DType dtype;

    TorchDtype(String configName, DType dtype) {
        this.configName = configName;
        this.dtype = dtype;
    }

    /** The name in {@code config.json}'s {@code torch_dtype}: {@code "bfloat16"}. */
    public String configName() {
        return configName;
    }

    /** The safetensors element type. */
    public DType dtype() {
        return dtype;
    }

    /** The type a config's {@code torch_dtype} names (as {@link ModelConfig#torchDtype}); PyTorch's aliases accepted. */
    public static TorchDtype of(String torchDtype) {
        String name = torchDtype.toLowerCase(Locale.ROOT);
        return switch (name.startsWith("torch.") ? name.substring("torch.".length()) : name) {
            case "float32", "float" -> FLOAT32;
            case "float16", "half" -> FLOAT16;
            case "bfloat16" -> BFLOAT16;
            default -> throw new IllegalArgumentException("torch_dtype '" + torchDtype
                    + "' is not a type checkpoints are written in (float32, float16, bfloat16)");
        };
    }

    /** The type {@code config}'s weights are stored in, to save a model derived from it the same way. */
    public static TorchDtype of(ModelConfig config) {
        return of(config.torchDtype());
    }
}

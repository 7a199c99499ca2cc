package org.iterpref.trainer.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.List;
import java.util.Map;
import org.iterpref.trainer.checkpoint.NamedWeights;
import org.iterpref.trainer.checkpoint.ParameterSpec;

/**
 * The parameters of a block tree under their Hugging Face names ({@link HfParameters}), read
 * back as float32 on the host whatever their type (float32 or float16) and device. A live view:
 * each read returns the parameter's current values.
 */
final class BlockWeights implements NamedWeights {

    private final Map<String, Parameter> parameters;

    BlockWeights(Block root) {
        this.parameters = HfParameters.named(root);
    }

    @Override
    public List<ParameterSpec> parameters() {
        return parameters.entrySet().stream()
                .map(e -> new ParameterSpec(e.getKey(), e.getValue().getArray().getShape().getShape()))
                .toList();
    }

    @Override
    public float[] readFloat32(String name) {
        Parameter parameter = parameters.get(name);
        if (parameter == null) {
            throw new IllegalArgumentException("no parameter '" + name + "' (" + parameters.size() + " parameters)");
        }
        NDArray array = parameter.getArray();
        if (array.getDevice().equals(Device.cpu()) && array.getDataType() == DataType.FLOAT32) {
            return array.toFloatArray();
        }
        // DJL puts a copy to another device into a new sub-manager of the source's manager, where it
        // would stay until the model closes; the copy is moved to a scratch manager and that sub-manager
        // closed. The host copy is widened there: float16 to float32 is exact.
        try (NDManager scratch = array.getManager().getEngine().newBaseManager(Device.cpu())) {
            NDArray host = array.toDevice(Device.cpu(), true);
            NDManager implicit = host.getManager();
            host.attach(scratch);
            if (implicit != array.getManager()) {
                implicit.close();
            }
            NDArray widened = host.getDataType() == DataType.FLOAT32 ? host : host.toType(DataType.FLOAT32, false);
            return widened.toFloatArray();
        }
    }
}

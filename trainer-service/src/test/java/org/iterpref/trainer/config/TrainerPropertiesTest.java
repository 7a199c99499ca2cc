package org.iterpref.trainer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.DataType;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainerPropertiesTest {

    private static TrainerProperties with(String device, String dtype) {
        return new TrainerProperties(Map.of(), 0, 0, null, 0, 0, null, 0, device, dtype);
    }

    @Test
    void defaultsAreCpuFloat32WithABoundedQueue() {
        TrainerProperties properties = with(null, null);
        assertThat(properties.device()).isEqualTo("cpu");
        assertThat(properties.computeType()).isEqualTo(DataType.FLOAT32);
        assertThat(properties.maxConcurrentRequests()).isEqualTo(4);
        assertThat(properties.queueTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(properties.maxModels()).isEqualTo(8);
        assertThat(properties.adminModelRoot()).isNull();
    }

    @Test
    void autoMeansFloat16OnAGpu() {
        assertThat(with("gpu", "auto").computeType()).isEqualTo(DataType.FLOAT16);
        assertThat(with("GPU:1", null).computeType()).isEqualTo(DataType.FLOAT16);
        assertThat(with("gpu", "float32").computeType()).isEqualTo(DataType.FLOAT32);
        assertThat(with("cpu", "float16").computeType()).isEqualTo(DataType.FLOAT16);
    }

    @Test
    void unknownDevicesAndBfloat16AreRefusedByName() {
        assertThatThrownBy(() -> with("tpu", null)).hasMessageContaining("iterpref.trainer.device");
        assertThatThrownBy(() -> with("cpu", "bfloat16")).hasMessageContaining("iterpref.trainer.dtype")
                .hasMessageContaining("bfloat16");
    }
}

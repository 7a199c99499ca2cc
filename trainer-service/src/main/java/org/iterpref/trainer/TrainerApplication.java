package org.iterpref.trainer;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Serves Hugging Face decoder models (DJL PyTorch, CPU) through an OpenAI-compatible API. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class TrainerApplication {

    public static void main(String[] args) {
        // DJL must never download: the native library comes from the pytorch-native-cpu jar.
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
        SpringApplication.run(TrainerApplication.class, args);
    }
}

package org.iterpref.trainer.finetune;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/** Registers the {@link FakeEngine} as the fine-tuning engine of a test context. */
@TestConfiguration(proxyBeanMethods = false)
public class FakeEngineConfiguration {

    @Bean
    @Primary
    FakeEngine fakeEngine() {
        return new FakeEngine();
    }
}

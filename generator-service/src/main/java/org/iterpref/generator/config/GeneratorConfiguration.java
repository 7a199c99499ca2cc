package org.iterpref.generator.config;

import org.iterpref.generator.executor.ExecutorClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
class GeneratorConfiguration {

    @Bean
    ExecutorClient executorClient(GeneratorProperties properties, JsonMapper jsonMapper) {
        return new ExecutorClient(properties.executor(), jsonMapper);
    }
}

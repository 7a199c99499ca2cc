package org.iterpref.web;

import java.util.List;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

/**
 * Request bodies read with the types they declare: Jackson by default turns {@code 12} or
 * {@code true} into the string "12" or "true" and {@code 12.5} into the integer 12, so a body with
 * a wrong type was stored as if it were right (a key's burst silently cut, a task id made of a
 * number). Only the controllers' converter is strict; the services' own mapper, which reads stored
 * data and other services' answers, keeps its defaults.
 */
class StrictJsonBodies implements WebMvcConfigurer {

    @Override
    public void extendMessageConverters(List<HttpMessageConverter<?>> converters) {
        for (int i = 0; i < converters.size(); i++) {
            if (converters.get(i) instanceof JacksonJsonHttpMessageConverter json) {
                converters.set(i, new JacksonJsonHttpMessageConverter(strict(json.getMapper())));
            }
        }
    }

    static JsonMapper strict(JsonMapper mapper) {
        return mapper.rebuild()
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .withCoercionConfig(LogicalType.Textual, text -> text
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Integer, integer -> integer
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail))
                .build();
    }
}

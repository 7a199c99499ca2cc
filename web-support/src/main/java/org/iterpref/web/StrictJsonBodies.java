package org.iterpref.web;

import java.util.List;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.deser.std.StdDeserializer;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

/**
 * Request bodies read with the types they declare: Jackson by default turns {@code 12} or
 * {@code true} into the string "12" or "true" and {@code 12.5} into the integer 12, so a body with
 * a wrong type was stored as if it were right (a key's burst silently cut, a task id made of a
 * number, a blank string taken for a default number). Text with a NUL or an unpaired surrogate is
 * refused as well. Only the controllers' converter is strict; the services' own mapper, which reads stored
 * data and other services' answers, keeps its defaults.
 */
class StrictJsonBodies implements WebMvcConfigurer {

    private final boolean strictText;

    /** @param strictText whether text with a NUL or an unpaired surrogate is refused too */
    StrictJsonBodies(boolean strictText) {
        this.strictText = strictText;
    }

    @Override
    public void extendMessageConverters(List<HttpMessageConverter<?>> converters) {
        for (int i = 0; i < converters.size(); i++) {
            // exactly Spring's JSON converter: subclasses (Spring Data's projecting one, which reads
            // only projection interfaces and comes first) keep their narrower reach
            if (converters.get(i) instanceof JacksonJsonHttpMessageConverter json
                    && json.getClass() == JacksonJsonHttpMessageConverter.class) {
                converters.set(i, new JacksonJsonHttpMessageConverter(strict(json.getMapper(), strictText)));
            }
        }
    }

    static JsonMapper strict(JsonMapper mapper) {
        return strict(mapper, true);
    }

    static JsonMapper strict(JsonMapper mapper, boolean strictText) {
        JsonMapper.Builder builder = mapper.rebuild()
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .withCoercionConfig(LogicalType.Textual, text -> text
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Integer, integer -> integer
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Float, number -> number
                        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Boolean, bool -> bool
                        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail));
        if (strictText) {
            builder.addModule(new SimpleModule("iterpref-text").addDeserializer(String.class, new TextDeserializer()));
        }
        return builder.build();
    }

    /**
     * Text as declared, and only text no service or database mishandles: no NUL (PostgreSQL cannot
     * store it) and no unpaired surrogate (no Unicode at all; it became '?' when stored).
     */
    static final class TextDeserializer extends StdDeserializer<String> {

        TextDeserializer() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) {
            if (!parser.hasToken(JsonToken.VALUE_STRING)) {
                return (String) context.handleUnexpectedToken(String.class, parser);
            }
            String text = parser.getString();
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                boolean unpaired = Character.isHighSurrogate(c)
                        ? i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))
                        : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)));
                if (c == 0 || unpaired) {
                    return (String) context.handleWeirdStringValue(String.class, text, c == 0
                            ? "text may not contain NUL (U+0000)" : "text may not contain an unpaired surrogate");
                }
            }
            return text;
        }
    }
}

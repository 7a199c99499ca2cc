package org.iterpref.trainer.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.objects.SafeString;

/**
 * Jinja2's {@code length}: Python's {@code len}, which counts a string's code points (jinjava
 * counts UTF-16 units, two for an emoji). Collections as jinjava does.
 */
final class LengthFilter extends com.hubspot.jinjava.lib.filter.LengthFilter {

    @Override
    public Object filter(Object object, JinjavaInterpreter interpreter, String... args) {
        if (object instanceof String || object instanceof SafeString) {
            String s = object.toString();
            return s.codePointCount(0, s.length());
        }
        return super.filter(object, interpreter, args);
    }
}

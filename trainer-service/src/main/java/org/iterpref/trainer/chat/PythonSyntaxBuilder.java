package org.iterpref.trainer.chat;

import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import jinjava.de.odysseus.el.tree.impl.Parser;

/** jinjava's expression tree builder, parsing with {@link PythonExpressionParser}. */
final class PythonSyntaxBuilder extends ExtendedSyntaxBuilder {

    private static final long serialVersionUID = 1L;

    PythonSyntaxBuilder(Feature... features) {
        super(features);
    }

    @Override
    protected Parser createParser(String expression) {
        return new PythonExpressionParser(this, expression);
    }
}

package org.iterpref.trainer.chat;

import static jinjava.de.odysseus.el.tree.impl.Builder.Feature.IGNORE_RETURN_TYPE;
import static jinjava.de.odysseus.el.tree.impl.Builder.Feature.METHOD_INVOCATIONS;
import static jinjava.de.odysseus.el.tree.impl.Builder.Feature.NULL_PROPERTIES;
import static jinjava.de.odysseus.el.tree.impl.Scanner.Symbol.COLON;
import static jinjava.de.odysseus.el.tree.impl.Scanner.Symbol.COMMA;
import static jinjava.de.odysseus.el.tree.impl.Scanner.Symbol.EXTENSION;
import static jinjava.de.odysseus.el.tree.impl.Scanner.Symbol.IDENTIFIER;
import static jinjava.de.odysseus.el.tree.impl.Scanner.Symbol.LPAREN;
import static jinjava.de.odysseus.el.tree.impl.Scanner.Symbol.RBRACK;

import com.hubspot.jinjava.el.ext.ExtendedParser;
import com.hubspot.jinjava.el.ext.NamedParameterOperator;
import java.util.ArrayList;
import java.util.List;
import jinjava.de.odysseus.el.tree.impl.Builder;
import jinjava.de.odysseus.el.tree.impl.Scanner;
import jinjava.de.odysseus.el.tree.impl.Scanner.ScanException;
import jinjava.de.odysseus.el.tree.impl.Scanner.Symbol;
import jinjava.de.odysseus.el.tree.impl.Scanner.Token;
import jinjava.de.odysseus.el.tree.impl.ast.AstBracket;
import jinjava.de.odysseus.el.tree.impl.ast.AstDot;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.de.odysseus.el.tree.impl.ast.AstParameters;

/**
 * jinjava's expression parser with the Jinja2 syntax it lacks: slices with a step ({@code
 * [start:stop:step]}, parsed into {@link PythonSlice}), Python string escapes ({@link
 * PythonStringScanner}), keyword arguments whose value is any expression ({@code
 * namespace(last=messages|length - 1)}: jinjava binds {@code =} as tightly as {@code -} and
 * reads {@code (last=messages|length) - 1}) and trailing commas in argument and list literals.
 *
 * <p>{@link #value()} restates jinjava's own loop for the postfix operators (attribute, call,
 * subscript) with the slice case extended. It relies on jinjava's natural operator precedence
 * (a {@code LegacyOverrides} setting the engine always enables), under which filters and tests
 * are parsed one level up, not here.
 */
final class PythonExpressionParser extends ExtendedParser {

    PythonExpressionParser(Builder context, String input) {
        super(context, input);
    }

    @Override
    protected Scanner createScanner(String expression) {
        return new PythonStringScanner(expression);
    }

    @Override
    protected AstParameters params(Symbol left, Symbol right) throws ScanException, ParseException {
        consumeToken(left);
        List<AstNode> arguments = new ArrayList<>();
        while (getToken().getSymbol() != right) {
            arguments.add(argument());
            if (getToken().getSymbol() != COMMA) {
                break;
            }
            consumeToken();
        }
        consumeToken(right);
        return createAstParameters(arguments);
    }

    /** A positional argument, or {@code name=expression}. */
    private AstNode argument() throws ScanException, ParseException {
        if (getToken().getSymbol() == IDENTIFIER && lookahead(0).getSymbol() == EXTENSION
                && "=".equals(lookahead(0).getImage())) {
            AstNode name = identifier(consumeToken().getImage());
            consumeToken();
            return NamedParameterOperator.HANDLER.createAstNode(name, expr(true));
        }
        return expr(true);
    }

    @Override
    protected AstNode value() throws ScanException, ParseException {
        boolean lvalue = true;
        AstNode v = nonliteral();
        if (v == null) {
            v = literal();
            if (v == null) {
                return null;
            }
            lvalue = false;
        }
        while (true) {
            switch (getToken().getSymbol()) {
                case DOT:
                    consumeToken();
                    String name = consumeToken(Scanner.Symbol.IDENTIFIER).getImage();
                    AstDot dot = createAstDot(v, name, lvalue);
                    v = getToken().getSymbol() == LPAREN && context.isEnabled(METHOD_INVOCATIONS)
                            ? createAstMethod(dot, params())
                            : dot;
                    break;
                case LBRACK:
                    v = subscript(v, lvalue);
                    break;
                default:
                    return v;
            }
        }
    }

    /** {@code v[...]} after the bracket: an index, or a slice with up to three optional parts. */
    private AstNode subscript(AstNode v, boolean lvalue) throws ScanException, ParseException {
        consumeToken();
        boolean strict = !context.isEnabled(NULL_PROPERTIES);
        AstNode start = expr(false);
        Token next = consumeToken();
        if (next.getSymbol() == COLON) {
            AstNode stop = getToken().getSymbol() == COLON || getToken().getSymbol() == RBRACK ? null : expr(false);
            AstNode step = null;
            if (getToken().getSymbol() == COLON) {
                consumeToken();
                step = getToken().getSymbol() == RBRACK ? null : expr(false);
            }
            consumeToken(RBRACK);
            return new PythonSlice(v, start, stop, step, lvalue, strict, context.isEnabled(IGNORE_RETURN_TYPE));
        }
        if (next.getSymbol() != RBRACK) {
            fail(RBRACK);
        }
        AstBracket bracket = createAstBracket(v, start, lvalue, strict);
        return getToken().getSymbol() == LPAREN && context.isEnabled(METHOD_INVOCATIONS)
                ? createAstMethod(bracket, params())
                : bracket;
    }
}

package org.iterpref.trainer.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaProcessors;
import com.hubspot.jinjava.el.TruthyTypeConverter;
import com.hubspot.jinjava.el.TypeConvertingMapELResolver;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import com.hubspot.jinjava.el.ext.JinjavaBeanELResolver;
import com.hubspot.jinjava.el.ext.JinjavaListELResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpretException;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.loader.ResourceNotFoundException;
import com.hubspot.jinjava.tree.ExpressionNode;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import com.hubspot.jinjava.tree.parse.ExpressionToken;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jinjava.de.odysseus.el.ExpressionFactoryImpl;
import jinjava.de.odysseus.el.tree.TreeBuilderException;
import jinjava.de.odysseus.el.tree.IdentifierNode;
import jinjava.de.odysseus.el.tree.Tree;
import jinjava.de.odysseus.el.tree.TreeStore;
import jinjava.de.odysseus.el.tree.impl.Builder.Feature;
import jinjava.de.odysseus.el.tree.impl.Cache;
import jinjava.javax.el.ArrayELResolver;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ExpressionFactory;

/**
 * Compiles Hugging Face chat templates with jinjava, configured to behave like the Jinja2
 * environment transformers renders them in ({@code ImmutableSandboxedEnvironment(trim_blocks=True,
 * lstrip_blocks=True)} with {@code raise_exception}, {@code strftime_now} and its {@code tojson}):
 * <ul>
 *   <li>Jinja2's whitespace rules ({@link Jinja2Whitespace}) and string escapes, slices with a
 *       step ({@code messages[::-1]}), Python {@code str} methods ({@code .strip()}, {@code
 *       .split()}, {@code .startswith()}), Python's {@code trim} and {@code json.dumps};</li>
 *   <li>sandbox: no template loading ({@code include}, {@code import}, {@code extends}), no
 *       mutating methods on lists and dicts ({@code append}, {@code update}, ...), no
 *       re-rendering of rendered text (jinjava's nested interpretation), jinjava's restrictions on
 *       reflective calls;</li>
 *   <li>{@link ChatTemplateLimits}: output and string size, render time, {@code range} size,
 *       collection size, macro recursion, template size.</li>
 * </ul>
 * Errors fail the render with the first problem ({@link ChatTemplateException}) instead of
 * jinjava's collect-and-continue. Stateless after construction and thread-safe: build one and
 * share it; the parsed-expression cache is shared by all its templates.
 */
public final class ChatTemplateEngine {

    /** Methods that would change a list or dict; Jinja2's immutable sandbox forbids them. */
    private static final Set<String> MUTATING_METHODS = Set.of("append", "extend", "insert", "pop", "popitem",
            "remove", "clear", "update", "setdefault", "sort", "reverse", "put", "putAll", "putIfAbsent", "add",
            "addAll", "removeAll", "retainAll", "removeIf", "replace", "replaceAll", "set", "merge", "compute",
            "computeIfAbsent", "computeIfPresent");
    /** Tags that load other templates; a chat template has none to load. */
    private static final Set<String> LOADING_TAGS = Set.of("include", "import", "from", "extends");
    private static final int EXPRESSION_CACHE_SIZE = 2000;
    /** How jinjava's {@code for} finds its iterable. */
    private static final Pattern LOOP_IN = Pattern.compile("\\sin\\s");

    private final ChatTemplateLimits limits;
    private final TreeStore expressions;
    private final JinjavaConfig config;
    private final Jinjava jinjava;

    /** An engine with {@link ChatTemplateLimits#DEFAULT}. */
    public ChatTemplateEngine() {
        this(ChatTemplateLimits.DEFAULT);
    }

    /** An engine with the given limits. */
    public ChatTemplateEngine(ChatTemplateLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.expressions = new TreeStore(new PythonSyntaxBuilder(Feature.METHOD_INVOCATIONS, Feature.VARARGS),
                new Cache(EXPRESSION_CACHE_SIZE));
        this.config = JinjavaConfig.newBuilder()
                .withLocale(Locale.ENGLISH)
                .withTimeZone(ZoneId.systemDefault())
                .withTrimBlocks(false)
                .withLstripBlocks(false)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withEvaluateMapKeys(true)
                        .withIterateOverMapKeys(true)
                        .withUsePyishObjectMapper(true)
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withKeepNullableLoopValues(true)
                        .build())
                .withNestedInterpretationEnabled(false)
                .withFailOnUnknownTokens(false)
                .withMaxOutputSize(limits.maxOutputChars())
                .withMaxStringLength(limits.maxOutputChars())
                .withRangeLimit(limits.maxRange())
                .withMaxListSize(limits.maxCollectionSize())
                .withMaxMapSize(limits.maxCollectionSize())
                .withEnableRecursiveMacroCalls(true)
                .withMaxMacroRecursionDepth(limits.maxMacroDepth())
                .withDisabled(Map.of(Context.Library.TAG, LOADING_TAGS))
                .withRestrictedMethods(MUTATING_METHODS)
                .withElResolver(resolver())
                .withProcessors(JinjavaProcessors.newBuilder().withNodePreProcessor(GuardedInterpreter::beforeNode)
                        .build())
                .build();
        this.jinjava = new PythonJinjava(config, new ExpressionFactoryImpl(expressions, new TruthyTypeConverter()));
        jinjava.setResourceLocator((name, encoding, interpreter) -> {
            throw new ResourceNotFoundException("chat templates cannot load other templates: " + name);
        });
        Context globals = jinjava.getGlobalContext();
        globals.registerFilter(new ToJsonFilter());
        globals.registerFilter(new TrimFilter());
        globals.registerFilter(new LengthFilter());
        globals.registerTag(new GenerationTag());
        globals.registerTag(new FilteringForTag());
        TemplateFunctions.definitions().forEach(globals::registerFunction);
    }

    /** Python {@code str} methods first, then jinjava's read-only resolvers. */
    private static CompositeELResolver resolver() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(new ArrayELResolver(true));
        resolver.add(new JinjavaListELResolver(true));
        resolver.add(new TypeConvertingMapELResolver(true));
        resolver.add(new JinjavaBeanELResolver(true));
        return resolver;
    }

    /** The limits templates of this engine run under. */
    public ChatTemplateLimits limits() {
        return limits;
    }

    /**
     * Parses a chat template. Tag structure, tag names, and the expressions of {@code {{ }}},
     * {@code if}, {@code elif}, {@code for} and {@code set} (syntax, filter and test names) are
     * checked now; the few other places expressions appear (macro defaults, call arguments of
     * other tags) when they first render.
     *
     * @throws ChatTemplateException of kind {@link ChatTemplateException.Kind#SYNTAX}, with the
     *     line when known, for a template that does not parse
     */
    public ChatTemplate compile(String source) {
        Objects.requireNonNull(source, "source");
        if (source.length() > limits.maxTemplateChars()) {
            throw new ChatTemplateException(ChatTemplateException.Kind.SYNTAX, "the template has " + source.length()
                    + " characters, more than the limit of " + limits.maxTemplateChars(), 0, null);
        }
        // tags are resolved while parsing, so the disabled ones must be disabled here
        Context context = new Context(jinjava.getGlobalContextCopy(), null, config.getDisabled());
        JinjavaInterpreter interpreter = new JinjavaInterpreter(jinjava, context, config);
        JinjavaInterpreter.pushCurrent(interpreter);
        try {
            Node root = interpreter.parse(Jinja2Whitespace.apply(source, config));
            if (!interpreter.getErrors().isEmpty()) {
                TemplateError error = interpreter.getErrors().get(0);
                throw new ChatTemplateException(ChatTemplateException.Kind.SYNTAX, error.getMessage(),
                        error.getLineno(), error.getException());
            }
            checkExpressions(root, 0);
            return new ChatTemplate(jinjava, config, limits.maxRenderTime(), root);
        } catch (InterpretException e) {
            throw new ChatTemplateException(ChatTemplateException.Kind.SYNTAX, e.getMessage(), e.getLineNumber(), e);
        } catch (StackOverflowError e) {
            throw new ChatTemplateException(ChatTemplateException.Kind.SYNTAX, "the template is nested too deeply",
                    0, null);
        } finally {
            JinjavaInterpreter.popCurrent();
        }
    }

    private void checkExpressions(Node node, int depth) {
        if (depth > limits.maxNesting()) {
            throw new ChatTemplateException(ChatTemplateException.Kind.SYNTAX, "blocks are nested more than "
                    + limits.maxNesting() + " deep", node.getLineNumber(), null);
        }
        for (Node child : node.getChildren()) {
            for (String expression : expressionsOf(child)) {
                checkExpression(expression, child.getLineNumber());
            }
            checkExpressions(child, depth + 1);
        }
    }

    /**
     * The expressions of a node as jinjava will evaluate them: a {@code {{ }}} expression, an
     * {@code if}/{@code elif} condition, a {@code for} iterable and loop filter, the value of a
     * {@code set} (jinjava evaluates it as a list, for tuple assignment).
     */
    private static List<String> expressionsOf(Node node) {
        if (node instanceof ExpressionNode) {
            return List.of(((ExpressionToken) node.getMaster()).getExpr());
        }
        if (!(node instanceof TagNode tag)) {
            return List.of();
        }
        String helpers = tag.getHelpers();
        switch (tag.getName()) {
            case "if", "elif":
                return List.of(helpers);
            case "for":
                Matcher in = LOOP_IN.matcher(helpers);
                if (!in.find()) {
                    return List.of();
                }
                int filter = FilteringForTag.filterStart(helpers);
                return filter < 0 ? List.of(helpers.substring(in.end()))
                        : List.of(helpers.substring(in.end(), filter), helpers.substring(filter + " if ".length()));
            case "set":
                int assignment = helpers.indexOf('=');
                return assignment < 0 ? List.of() : List.of("[" + helpers.substring(assignment + 1) + "]");
            default:
                return List.of();
        }
    }

    /**
     * Parses {@code expression} as jinjava's expression resolver will (caching the tree), and
     * checks that its filters and tests exist: Jinja2 rejects unknown ones when compiling,
     * jinjava would silently produce nothing.
     */
    private void checkExpression(String expression, int line) {
        String trimmed = expression == null ? "" : expression.trim();
        if (trimmed.isEmpty()) {
            return;
        }
        if (bracketDepth(trimmed) > limits.maxNesting()) {
            throw new ChatTemplateException(ChatTemplateException.Kind.SYNTAX, "brackets are nested more than "
                    + limits.maxNesting() + " deep in the expression", line, null);
        }
        Tree tree;
        try {
            tree = expressions.get("#{" + trimmed + "}");
        } catch (TreeBuilderException e) {
            String reason = e.getMessage().contains("': ") ? e.getMessage().substring(e.getMessage().indexOf("': ") + 3)
                    : e.getMessage();
            throw new ChatTemplateException(ChatTemplateException.Kind.SYNTAX,
                    "cannot parse the expression '" + trimmed + "': " + reason, line, e);
        }
        Context globals = jinjava.getGlobalContext();
        for (IdentifierNode identifier : tree.getIdentifierNodes()) {
            String name = identifier.getName();
            if (name.startsWith(ExtendedParser.FILTER_PREFIX)
                    && globals.getFilter(name.substring(ExtendedParser.FILTER_PREFIX.length())) == null) {
                throw new ChatTemplateException(ChatTemplateException.Kind.SYNTAX, "no filter named '"
                        + name.substring(ExtendedParser.FILTER_PREFIX.length()) + "'", line, null);
            }
            if (name.startsWith(ExtendedParser.EXPTEST_PREFIX)
                    && globals.getExpTest(name.substring(ExtendedParser.EXPTEST_PREFIX.length())) == null) {
                throw new ChatTemplateException(ChatTemplateException.Kind.SYNTAX, "no test named '"
                        + name.substring(ExtendedParser.EXPTEST_PREFIX.length()) + "'", line, null);
            }
        }
    }

    /** The deepest nesting of brackets outside string literals. */
    static int bracketDepth(String expression) {
        int[] max = {0};
        ExpressionText.walk(expression, (i, c, depth) -> {
            max[0] = Math.max(max[0], depth);
            return false;
        });
        return max[0];
    }

    /** jinjava with {@link PythonSyntaxBuilder}'s expression parser. */
    private static final class PythonJinjava extends Jinjava {

        private final ExpressionFactory expressionFactory;

        PythonJinjava(JinjavaConfig config, ExpressionFactory expressionFactory) {
            super(config);
            this.expressionFactory = expressionFactory;
        }

        @Override
        public ExpressionFactory getExpressionFactory() {
            return expressionFactory;
        }
    }
}

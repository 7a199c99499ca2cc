package org.iterpref.cli.eval;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** {@code --gate 'pass@1>=0.4'}: the metric must reach the minimum. */
public record GateSpec(String metric, double min) {

    private static final Pattern FORM = Pattern.compile("\\s*(pass@[0-9]{1,4})\\s*>=\\s*([0-9]*\\.?[0-9]+)\\s*");

    public Map<String, Object> request() {
        return Map.of("metric", metric, "min", min);
    }

    /** Picocli's converter for the option. */
    public static final class Converter implements CommandLine.ITypeConverter<GateSpec> {
        @Override
        public GateSpec convert(String value) {
            Matcher m = FORM.matcher(value.toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not of the form pass@K>=MIN (e.g. pass@1>=0.4)");
            }
            double min = Double.parseDouble(m.group(2));
            if (min > 1) {
                throw new CommandLine.TypeConversionException("the minimum of '" + value + "' is above 1");
            }
            return new GateSpec(m.group(1), min);
        }
    }
}

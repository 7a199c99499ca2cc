package org.iterpref.cli.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart as inline SVG: one metric against the step, the training series as a line and the
 * eval rows as points, with both axes, five ticks each, and their labels. Values that are not finite
 * are left out; a single point or a flat series gets a range around it, so no coordinate is ever NaN.
 * Axes run from round tick to round tick.
 */
final class SvgChart {

    static final String TRAIN_COLOUR = "#1f77b4";
    static final String EVAL_COLOUR = "#d62728";
    static final int WIDTH = 420;
    static final int HEIGHT = 260;
    private static final int LEFT = 64;
    private static final int RIGHT = 16;
    private static final int TOP = 30;
    private static final int BOTTOM = 46;
    private static final int TICKS = 5;

    /** A point of a series. */
    record Point(double x, double y) {
    }

    /** The range an axis shows, from tick to tick. */
    record Range(double min, double max, double step) {

        /**
         * The range of {@code values}, widened when empty or flat so that it has a length, then
         * to round ticks (1, 2, 2.5 or 5 times a power of ten; where {@code integers}, as steps
         * are, whole numbers: 1 to 5 times a power of ten).
         */
        static Range of(List<Double> values, boolean integers) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (double v : values) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            if (values.isEmpty()) {
                min = 0;
                max = 1;
            } else if (max - min < 1e-12) {
                double pad = Math.abs(min) < 1e-12 ? 1 : Math.abs(min) * 0.1;
                min -= pad;
                max += pad;
            }
            double raw = (max - min) / (TICKS - 1);
            double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
            double step = 10 * magnitude;
            for (double m : integers ? new double[] {1, 2, 3, 4, 5} : new double[] {1, 2, 2.5, 5}) {
                double candidate = m * magnitude;
                if (candidate >= raw * (1 - 1e-9) && (!integers || candidate == Math.rint(candidate))) {
                    step = candidate;
                    break;
                }
            }
            if (integers) {
                step = Math.max(1, Math.ceil(step));
            }
            return new Range(Math.floor(min / step + 1e-9) * step, Math.ceil(max / step - 1e-9) * step, step);
        }

        int ticks() {
            return (int) Math.round((max - min) / step) + 1;
        }

        double tick(int i) {
            return min + i * step;
        }

        double scale(double value, double from, double to) {
            return from + (value - min) / (max - min) * (to - from);
        }
    }

    private SvgChart() {
    }

    static String render(String id, String title, String yLabel, List<Point> train, List<Point> eval) {
        List<Point> t = finite(train);
        List<Point> e = finite(eval);
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (Point p : concat(t, e)) {
            xs.add(p.x());
            ys.add(p.y());
        }
        Range x = Range.of(xs, true);
        Range y = Range.of(ys, false);
        double x0 = LEFT;
        double x1 = WIDTH - RIGHT;
        double y0 = HEIGHT - BOTTOM;
        double y1 = TOP;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"").append(Html.esc(id)).append("\" width=\"")
                .append(WIDTH).append("\" height=\"").append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(HEIGHT).append("\" role=\"img\" aria-label=\"").append(Html.esc(title)).append("\">");
        s.append("<title>").append(Html.esc(title)).append("</title>");
        s.append(text(WIDTH / 2.0, 18, "middle", "title", title));
        axes(s, x, y, x0, x1, y0, y1);
        s.append(text((x0 + x1) / 2, HEIGHT - 8, "middle", "label", "step"));
        s.append("<text class=\"label\" text-anchor=\"middle\" transform=\"translate(14 ").append(f((y0 + y1) / 2))
                .append(") rotate(-90)\">").append(Html.esc(yLabel)).append("</text>");
        series(s, x, y, t, e);
        legend(s, x1);
        return s.append("</svg>").toString();
    }

    /** The training rows as one line, the eval rows as points, each with its value as a tooltip. */
    private static void series(StringBuilder s, Range x, Range y, List<Point> train, List<Point> eval) {
        double x0 = LEFT;
        double x1 = WIDTH - RIGHT;
        double y0 = HEIGHT - BOTTOM;
        double y1 = TOP;
        if (!train.isEmpty()) {
            s.append("<polyline class=\"train\" fill=\"none\" stroke=\"").append(TRAIN_COLOUR)
                    .append("\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"");
            for (Point p : train) {
                s.append(f(x.scale(p.x(), x0, x1))).append(',').append(f(y.scale(p.y(), y0, y1))).append(' ');
            }
            s.setLength(s.length() - 1);
            s.append("\"/>");
        }
        for (Point p : eval) {
            s.append("<circle class=\"eval\" r=\"4\" fill=\"").append(EVAL_COLOUR).append("\" cx=\"")
                    .append(f(x.scale(p.x(), x0, x1))).append("\" cy=\"").append(f(y.scale(p.y(), y0, y1)))
                    .append("\"><title>eval at step ").append(g(p.x())).append(": ").append(g(p.y()))
                    .append("</title></circle>");
        }
        if (train.isEmpty() && eval.isEmpty()) {
            s.append(text((x0 + x1) / 2, (y0 + y1) / 2, "middle", "empty", "no data"));
        }
    }

    private static void axes(StringBuilder s, Range x, Range y, double x0, double x1, double y0, double y1) {
        s.append("<g class=\"axes\" stroke=\"#555\" stroke-width=\"1\">");
        s.append(line(x0, y0, x1, y0)).append(line(x0, y0, x0, y1));
        for (int i = 0; i < x.ticks(); i++) {
            double px = x.scale(x.tick(i), x0, x1);
            s.append(line(px, y0, px, y0 + 4));
        }
        for (int i = 0; i < y.ticks(); i++) {
            double py = y.scale(y.tick(i), y0, y1);
            s.append(line(x0 - 4, py, x0, py));
            s.append("<line stroke=\"#e5e5e5\" x1=\"").append(f(x0 + 1)).append("\" y1=\"").append(f(py))
                    .append("\" x2=\"").append(f(x1)).append("\" y2=\"").append(f(py)).append("\"/>");
        }
        s.append("</g><g class=\"ticks\">");
        for (int i = 0; i < x.ticks(); i++) {
            s.append(text(x.scale(x.tick(i), x0, x1), y0 + 16, "middle", "tick", g(x.tick(i))));
        }
        for (int i = 0; i < y.ticks(); i++) {
            s.append(text(x0 - 7, y.scale(y.tick(i), y0, y1) + 4, "end", "tick", g(y.tick(i))));
        }
        s.append("</g>");
    }

    /** Above the plot, right of the title. */
    private static void legend(StringBuilder s, double x1) {
        s.append("<g class=\"legend\">").append(line(x1 - 88, 14, x1 - 72, 14).replace("/>",
                        " stroke=\"" + TRAIN_COLOUR + "\" stroke-width=\"2\"/>"))
                .append(text(x1 - 68, 18, "start", "tick", "train"))
                .append("<circle r=\"3\" fill=\"").append(EVAL_COLOUR).append("\" cx=\"").append(f(x1 - 30))
                .append("\" cy=\"14\"/>").append(text(x1 - 24, 18, "start", "tick", "eval")).append("</g>");
    }

    private static String line(double xa, double ya, double xb, double yb) {
        return "<line x1=\"" + f(xa) + "\" y1=\"" + f(ya) + "\" x2=\"" + f(xb) + "\" y2=\"" + f(yb) + "\"/>";
    }

    private static String text(double x, double y, String anchor, String cls, String content) {
        return "<text class=\"" + cls + "\" x=\"" + f(x) + "\" y=\"" + f(y) + "\" text-anchor=\"" + anchor + "\">"
                + Html.esc(content) + "</text>";
    }

    private static List<Point> finite(List<Point> points) {
        return points.stream().filter(p -> Double.isFinite(p.x()) && Double.isFinite(p.y())).toList();
    }

    private static List<Point> concat(List<Point> a, List<Point> b) {
        List<Point> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** A coordinate. */
    static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** A tick or point label: short, without an exponent for ordinary magnitudes. */
    static String g(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e7) {
            return Long.toString((long) v);
        }
        double a = Math.abs(v);
        if (a < 1e-3 || a >= 1e5) {
            return String.format(Locale.ROOT, "%.2e", v);
        }
        String s = String.format(Locale.ROOT, "%.4g", v);
        return s.contains(".") ? s.replaceAll("\\.?0+$", "") : s;
    }
}

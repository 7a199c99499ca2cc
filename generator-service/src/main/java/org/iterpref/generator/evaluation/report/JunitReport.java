package org.iterpref.generator.evaluation.report;

import java.io.StringWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import org.iterpref.generator.evaluation.EvaluationResult;
import org.iterpref.generator.evaluation.FailingSample;
import org.iterpref.generator.evaluation.GateResult;
import org.iterpref.generator.evaluation.TaskScore;

/**
 * An evaluation as JUnit XML, the Ant/Jenkins form CI servers read (GitHub Actions' and GitLab's
 * test reports included): one {@code testsuite} for the evaluation, one {@code testcase} per task.
 *
 * <p>A task is a <em>failure</em> when none of its judged samples passed, with one failing
 * sample's feedback and code as the failure's text; an <em>error</em> when it has errored samples
 * (not generated or not judged: the model server or executor failed); otherwise it passes, and its
 * counts and pass@k are in its {@code system-out}. The gate's verdict is a testcase of its own
 * ({@code gate}), so a CI server shows a failed gate among the failures. Properties carry the
 * evaluation's id, source, model, samples, seed and overall pass@k.
 */
public final class JunitReport {

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private JunitReport() {
    }

    public static String render(EvaluationResult e, Map<UUID, FailingSample> failing) {
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
            x.writeStartDocument("UTF-8", "1.0");
            x.writeCharacters("\n");
            int failures = 0;
            int errors = 0;
            for (TaskScore t : e.tasks()) {
                if (t.errored() > 0) {
                    errors++;
                } else if (t.c() == 0) {
                    failures++;
                }
            }
            GateResult gate = e.gate();
            if (gate != null && gate.verdict() == GateResult.Verdict.FAILED) {
                failures++;
            }
            int tests = e.tasks().size() + (gate == null ? 0 : 1);
            String time = seconds(e.durationMs());
            String suite = "iterpref.evaluation." + e.taskSet();
            x.writeStartElement("testsuites");
            x.writeAttribute("name", "iterpref evaluation " + e.id());
            x.writeAttribute("tests", Integer.toString(tests));
            x.writeAttribute("failures", Integer.toString(failures));
            x.writeAttribute("errors", Integer.toString(errors));
            x.writeAttribute("time", time);
            x.writeStartElement("testsuite");
            x.writeAttribute("name", xml(suite));
            x.writeAttribute("package", "iterpref.evaluation");
            x.writeAttribute("id", "0");
            x.writeAttribute("timestamp", TIMESTAMP.format(e.createdAt().truncatedTo(ChronoUnit.SECONDS)));
            x.writeAttribute("hostname", "iterpref");
            x.writeAttribute("tests", Integer.toString(tests));
            x.writeAttribute("failures", Integer.toString(failures));
            x.writeAttribute("errors", Integer.toString(errors));
            x.writeAttribute("skipped", "0");
            x.writeAttribute("time", time);
            x.writeStartElement("properties");
            property(x, "evaluation", e.id().toString());
            property(x, "status", e.status().name());
            property(x, "taskSet", e.taskSet());
            property(x, "source", e.sourceType());
            property(x, "model", e.model());
            property(x, "reportedModels", String.join(",", e.reportedModels()));
            property(x, "samples", Integer.toString(e.samples()));
            property(x, "seed", Long.toString(e.seed()));
            e.passAtK().forEach((metric, value) -> property(x, metric, value == null ? "" : number(value)));
            x.writeEndElement();
            for (TaskScore t : e.tasks()) {
                testcase(x, suite, t, failing.get(t.taskId()));
            }
            if (gate != null) {
                gateCase(x, suite, gate);
            }
            x.writeStartElement("system-out");
            x.writeCharacters(xml(summary(e)));
            x.writeEndElement();
            x.writeEmptyElement("system-err");
            x.writeEndElement();
            x.writeEndElement();
            x.writeCharacters("\n");
            x.writeEndDocument();
            x.close();
        } catch (XMLStreamException ex) {
            throw new IllegalStateException("cannot write the JUnit report", ex);
        }
        return out.toString();
    }

    private static void testcase(XMLStreamWriter x, String suite, TaskScore t, FailingSample sample)
            throws XMLStreamException {
        x.writeStartElement("testcase");
        x.writeAttribute("name", xml(t.externalId()));
        x.writeAttribute("classname", xml(suite));
        x.writeAttribute("time", "0");
        String counts = t.c() + " of " + t.n() + " samples passed" + (t.errored() > 0 ? ", " + t.errored()
                + " errored" : "");
        if (t.errored() > 0) {
            x.writeStartElement("error");
            x.writeAttribute("message", counts);
            x.writeAttribute("type", "errored-samples");
            x.writeCharacters("Samples could not be generated or judged: see the evaluation's error.");
            x.writeEndElement();
        } else if (t.c() == 0) {
            x.writeStartElement("failure");
            x.writeAttribute("message", counts);
            x.writeAttribute("type", "no-passing-sample");
            x.writeCharacters(xml(sample == null ? counts : describe(sample)));
            x.writeEndElement();
        }
        x.writeStartElement("system-out");
        StringBuilder out = new StringBuilder(counts);
        t.passAtK().forEach((metric, value) -> out.append("; ").append(metric).append(" = ")
                .append(value == null ? "n/a" : number(value)));
        x.writeCharacters(out.toString());
        x.writeEndElement();
        x.writeEndElement();
    }

    private static void gateCase(XMLStreamWriter x, String suite, GateResult gate) throws XMLStreamException {
        x.writeStartElement("testcase");
        x.writeAttribute("name", "gate " + gate.metric() + " >= " + number(gate.min()));
        x.writeAttribute("classname", xml(suite));
        x.writeAttribute("time", "0");
        if (gate.verdict() != GateResult.Verdict.PASSED) {
            x.writeStartElement("failure");
            x.writeAttribute("message", xml(gate.reason()));
            x.writeAttribute("type", "gate-" + gate.verdict().name().toLowerCase(Locale.ROOT));
            x.writeCharacters(xml(gate.reason()));
            x.writeEndElement();
        }
        x.writeEndElement();
    }

    static String describe(FailingSample s) {
        return "sample " + s.sample() + ": " + s.verdict() + ", " + s.passed() + " of " + s.total() + " tests passed\n\n"
                + "feedback:\n" + s.feedback() + "\n\ncode:\n" + s.code();
    }

    private static void property(XMLStreamWriter x, String name, String value) {
        try {
            x.writeEmptyElement("property");
            x.writeAttribute("name", name);
            x.writeAttribute("value", xml(value));
        } catch (XMLStreamException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static String summary(EvaluationResult e) {
        StringBuilder s = new StringBuilder("evaluation " + e.id() + " " + e.status() + ": ");
        e.passAtK().forEach((metric, value) -> s.append(metric).append(" = ")
                .append(value == null ? "n/a" : number(value)).append("; "));
        if (e.gate() != null) {
            s.append("gate ").append(e.gate().verdict()).append(" (").append(e.gate().reason()).append(")");
        }
        return s.toString();
    }

    static String number(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }

    private static String seconds(Long ms) {
        return String.format(Locale.ROOT, "%.3f", ms == null ? 0.0 : ms / 1000.0);
    }

    /** Text XML 1.0 can carry: a character it forbids (a NUL in a program's output) becomes U+FFFD. */
    static String xml(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder s = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            boolean allowed = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF)
                    || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
            s.appendCodePoint(allowed ? c : 0xFFFD);
        });
        return s.toString();
    }
}

package org.iterpref.generator.run;

/** A run a submission started, or ({@code replayed}) the one an earlier submission with its key started. */
public record StartedRun(RunProgress progress, boolean replayed) {
}

package org.iterpref.generator.support;

import org.iterpref.generator.GeneratorApplication;

/**
 * The generator's main for {@link GeneratorProcess}: the generator, in a process that halts when
 * the test JVM that started it is gone, so that no instance outlives a test JVM that was killed
 * (where no finally block and no shutdown hook runs).
 */
public final class ParentBoundGenerator {

    private ParentBoundGenerator() {
    }

    public static void main(String[] args) {
        ProcessHandle parent = ProcessHandle.current().parent()
                .orElseThrow(() -> new IllegalStateException("started without a parent process"));
        Thread watch = new Thread(() -> {
            parent.onExit().join();
            Runtime.getRuntime().halt(1);
        }, "parent-watch");
        watch.setDaemon(true);
        watch.start();
        GeneratorApplication.main(args);
    }
}

package org.iterpref.generator.support;

import org.iterpref.executor.ExecutorApplication;
import org.springframework.context.ConfigurableApplicationContext;

/** The real executor-service (bubblewrap sandbox) on a free port, once for the whole test JVM. */
public final class SharedExecutor {

    private static final class Holder {
        static final ConfigurableApplicationContext CONTEXT =
                InProcessService.start(ExecutorApplication.class, "executor-service");
    }

    private SharedExecutor() {
    }

    public static String baseUrl() {
        return InProcessService.baseUrl(Holder.CONTEXT);
    }
}

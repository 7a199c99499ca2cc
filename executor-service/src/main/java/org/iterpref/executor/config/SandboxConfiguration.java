package org.iterpref.executor.config;

import com.sun.security.auth.module.UnixSystem;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.iterpref.executor.runtime.LanguageRuntime;
import org.iterpref.executor.runtime.PythonRuntime;
import org.iterpref.executor.runtime.RuntimeRegistry;
import org.iterpref.executor.sandbox.ProcessRunner;
import org.iterpref.executor.sandbox.Sandbox;
import org.iterpref.executor.sandbox.bubblewrap.BubblewrapSandbox;
import org.iterpref.executor.sandbox.cgroup.CgroupManager;
import org.iterpref.executor.sandbox.cgroup.CgroupSettings;
import org.iterpref.executor.sandbox.docker.DockerSandbox;
import org.iterpref.executor.sandbox.docker.DockerSettings;
import org.iterpref.executor.sandbox.unsandboxed.UnsandboxedRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Chooses the sandbox backend and the language runtimes. */
@Configuration(proxyBeanMethods = false)
class SandboxConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SandboxConfiguration.class);

    @Bean
    PythonRuntime pythonRuntime(ExecutorProperties properties) {
        return new PythonRuntime(properties.python().interpreter());
    }

    @Bean
    RuntimeRegistry runtimeRegistry(List<LanguageRuntime> runtimes) {
        return new RuntimeRegistry(runtimes);
    }

    /** Threads that pump sandbox stdin/stdout/stderr; they only block on pipes. */
    @Bean(destroyMethod = "shutdownNow")
    ExecutorService sandboxIoThreads() {
        AtomicInteger n = new AtomicInteger();
        return Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "sandbox-io-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Per-execution memory and pids cgroups for bubblewrap (when the service is root and a v2 or
     * v1 hierarchy is writable); removed with the context.
     */
    @Bean(destroyMethod = "close")
    CgroupManager cgroupManager(ExecutorProperties properties) {
        boolean wanted = properties.backend() == ExecutorProperties.Backend.BUBBLEWRAP
                && properties.bubblewrap().cgroups() && new UnixSystem().getUid() == 0;
        CgroupManager manager = CgroupManager.open(new CgroupSettings(wanted, null, null, null));
        log.info("Execution cgroups: {}", manager.description());
        return manager;
    }

    /** Closed with the context: fork servers and Docker clients are released. */
    @Bean
    Sandbox sandbox(ExecutorProperties properties, List<LanguageRuntime> runtimes, ExecutorService sandboxIoThreads,
                    CgroupManager cgroupManager) {
        ProcessRunner runner = new ProcessRunner(sandboxIoThreads);
        return switch (properties.backend()) {
            case BUBBLEWRAP -> bubblewrap(properties, runtimes, runner, sandboxIoThreads, cgroupManager);
            case DOCKER -> docker(properties, sandboxIoThreads);
            case UNSANDBOXED -> unsandboxed(properties, runner);
        };
    }

    private static Sandbox bubblewrap(ExecutorProperties properties, List<LanguageRuntime> runtimes,
                                      ProcessRunner runner, ExecutorService ioThreads, CgroupManager cgroups) {
        ExecutorProperties.Bubblewrap bwrap = properties.bubblewrap();
        boolean root = new UnixSystem().getUid() == 0;
        Integer uidBase = root ? bwrap.uidBase() : null;
        int uidCount = bwrap.uidCount() > 0 ? bwrap.uidCount() : 2 * properties.effectiveWorkers() + 2;
        BubblewrapSandbox sandbox = new BubblewrapSandbox(bwrap.executable(), runner, uidBase, uidCount,
                python(runtimes), bwrap.forkServer(), ioThreads, cgroups, bwrap.pinCpus());
        if (root) {
            log.info("Sandbox backend: bubblewrap ({}), one uid per execution from {}..{}",
                    sandbox.usesForkServers() ? "fork servers" : "a sandbox per execution", uidBase,
                    uidBase + uidCount - 1);
        } else {
            log.info("Sandbox backend: bubblewrap, a sandbox per execution as the service's own user (not root: "
                    + "no uid pool, no fork servers; the kernel counts RLIMIT_NPROC per user namespace)");
        }
        return sandbox;
    }

    private static Sandbox docker(ExecutorProperties properties, ExecutorService ioThreads) {
        ExecutorProperties.Docker docker = properties.docker();
        int uidCount = docker.uidCount() > 0 ? docker.uidCount() : 2 * properties.effectiveWorkers() + 2;
        DockerSettings settings = new DockerSettings(docker.host(), docker.image(), docker.interpreter(),
                docker.uidBase(), uidCount, docker.connectTimeout(), docker.callTimeout(),
                Duration.ofMillis(properties.limits().maxTotalWallTimeMs()));
        log.info("Sandbox backend: docker (image {}), one uid per execution from {}..{}", docker.image(),
                docker.uidBase(), docker.uidBase() + uidCount - 1);
        return new DockerSandbox(settings, ioThreads);
    }

    private static LanguageRuntime python(List<LanguageRuntime> runtimes) {
        return runtimes.stream().filter(r -> r.language().equals("python")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no python runtime"));
    }

    private static Sandbox unsandboxed(ExecutorProperties properties, ProcessRunner runner) {
        if (!properties.allowUnsandboxed()) {
            throw new IllegalStateException("iterpref.executor.backend=unsandboxed runs untrusted code on this host "
                    + "without isolation; set iterpref.executor.allow-unsandboxed=true as well to allow it "
                    + "(development only)");
        }
        String line = "*".repeat(78);
        log.warn("{}\n* UNSANDBOXED EXECUTION ENABLED: submitted code runs as this service's user, with its files "
                + "and network.\n* Development only. Never expose this service.\n{}", line, line);
        return new UnsandboxedRunner(runner);
    }
}

package org.iterpref.executor.sandbox.docker;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.iterpref.executor.runtime.ResolvedLimits;
import org.iterpref.executor.sandbox.Sandbox;
import org.iterpref.executor.sandbox.SandboxException;
import org.iterpref.executor.sandbox.SandboxInvocation;
import org.iterpref.executor.sandbox.SandboxOutput;
import org.iterpref.executor.sandbox.UidPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Docker: one fresh container per execution, with no network ({@code --network none}), a
 * read-only root filesystem, size-capped tmpfs {@code /work}, {@code /tmp} and {@code /dev/shm},
 * every capability dropped, {@code no-new-privileges}, the engine's default seccomp profile, a
 * memory limit without swap, a pids limit, and an unprivileged uid of its own from a pool, so
 * that no two running containers share a uid. Nothing of the host is mounted: the container runs
 * a small {@link Bootstrap} that reads the harness from the attached stdin. The harness is pid 1
 * of the container's own pid namespace, so it may kill every other process after each test.
 *
 * <p>Every engine call is bounded: ordinary calls by the call timeout (whatever the transport),
 * the attach and wait streams by the execution deadline. A hung engine gives a
 * {@link SandboxException}, never a stuck worker. The container is force-removed whatever
 * happens; its uid goes back to the pool only once it is gone.
 */
public final class DockerSandbox implements Sandbox, AutoCloseable {

    /** Label on every sandbox container, to find leftovers. */
    public static final String LABEL = "iterpref.sandbox";
    /** Label holding the execution id of a sandbox container. */
    public static final String EXECUTION_LABEL = "iterpref.execution";

    static final String WORKDIR = Bootstrap.WORKDIR;
    static final int MAX_STDERR_BYTES = 64 * 1024;
    /** Memory for the harness itself beyond the program's own limit. */
    static final long HEADROOM_MB = 64;
    /** Processes for the harness beyond the program's own limit. */
    static final long EXTRA_PIDS = 8;
    private static final long MIB = 1024L * 1024;
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);
    private static final Duration DRAIN_GRACE = Duration.ofSeconds(5);
    /** Beyond the longest deadline, before a silent attach or wait stream counts as hung. */
    private static final Duration STREAM_SLACK = Duration.ofSeconds(60);
    private static final Logger log = LoggerFactory.getLogger(DockerSandbox.class);

    static final List<String> ENVIRONMENT = List.of(
            "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + WORKDIR, "TMPDIR=/tmp", "LANG=C.UTF-8",
            "PYTHONHASHSEED=0", "PYTHONIOENCODING=utf-8", "MPLBACKEND=Agg", "OMP_NUM_THREADS=1",
            "OPENBLAS_NUM_THREADS=1", "MKL_NUM_THREADS=1", "NUMEXPR_NUM_THREADS=1");

    private final DockerSettings settings;
    private final ExecutorService ioThreads;
    private final String endpoint;
    private final UidPool uids;
    /** Ordinary calls, each within the call timeout. */
    private final DockerClient client;
    /** Attach, wait and pull streams: silent for as long as a test runs. */
    private final DockerClient streams;
    private final EngineCalls calls;
    private final SandboxImage image;

    /**
     * @param ioThreads runs the engine calls (so that each is bounded) and the retries of removals
     */
    public DockerSandbox(DockerSettings settings, ExecutorService ioThreads) {
        this.settings = settings;
        this.ioThreads = ioThreads;
        this.uids = new UidPool(settings.uidBase(), settings.uidCount(), "iterpref.executor.docker.uid-count");
        DefaultDockerClientConfig.Builder builder = DefaultDockerClientConfig.createDefaultConfigBuilder();
        if (settings.host() != null && !settings.host().isBlank()) {
            builder.withDockerHost(settings.host().strip());
        }
        DockerClientConfig config = builder.build();
        this.endpoint = config.getDockerHost().toString();
        this.client = client(config, settings.connectTimeout(), settings.callTimeout());
        this.streams = client(config, settings.connectTimeout(), settings.maxDeadline().plus(KILL_WAIT)
                .plus(STREAM_SLACK));
        this.calls = new EngineCalls(ioThreads, settings.callTimeout(), endpoint);
        this.image = new SandboxImage(settings.image(), calls, client, streams, endpoint);
    }

    /** Socket read timeouts apply over TCP only; {@link EngineCalls} bounds unix-socket calls too. */
    private static DockerClient client(DockerClientConfig config, Duration connectTimeout, Duration responseTimeout) {
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .connectionTimeout(connectTimeout)
                .responseTimeout(responseTimeout)
                .build();
        return DockerClientImpl.getInstance(config, http);
    }

    @Override
    public String name() {
        return "docker";
    }

    @Override
    public boolean ownPidNamespace() {
        return true;
    }

    /** The container's pids cgroup caps processes; RLIMIT_NPROC would be shared by every container of the uid. */
    @Override
    public boolean capsProcessesItself() {
        return true;
    }

    /** The engine endpoint this sandbox talks to. */
    public String endpoint() {
        return endpoint;
    }

    /** Empty when a Docker engine answers within the call timeout; otherwise why not. */
    public Optional<String> unavailableReason() {
        try {
            calls.run("answer a ping", () -> client.pingCmd().exec());
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of("no Docker engine answers at " + endpoint + " (" + describe(e) + ")");
        }
    }

    /** Whether the engine has the sandbox image (nothing is pulled); throws when the engine does not answer. */
    public boolean hasImage() {
        return image.present();
    }

    /** Whether a Docker engine answers. */
    public boolean ping() {
        return unavailableReason().isEmpty();
    }

    @Override
    public SandboxOutput run(SandboxInvocation invocation) {
        image.ensure();
        int uid = uids.acquire();
        String name = "iterpref-sandbox-" + UUID.randomUUID();
        try {
            return attachStartAndWait(create(invocation, name, uid), invocation);
        } finally {
            // by name: a create that timed out may still have made the container
            remove(name, () -> uids.release(uid));
        }
    }

    private SandboxOutput attachStartAndWait(String id, SandboxInvocation invocation) {
        AttachedOutput frames = new AttachedOutput(invocation.maxStdoutBytes(), MAX_STDERR_BYTES);
        try {
            streams.attachContainerCmd(id).withStdIn(new ByteArrayInputStream(Bootstrap.stdin(invocation)))
                    .withStdOut(true).withStdErr(true).withFollowStream(true).withLogs(false).exec(frames);
            frames.awaitAttached(calls.timeout());
            calls.run("start sandbox container " + shortId(id), () -> client.startContainerCmd(id).exec());
            return await(id, frames, invocation.limits().totalWallTimeMs());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while waiting for the sandbox container", e);
        } catch (SandboxException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new SandboxException("the Docker engine at " + endpoint + " failed to run sandbox container "
                    + shortId(id) + ": " + describe(e), e);
        } finally {
            closeQuietly(frames);
        }
    }

    /** Ids of the containers, running or not, of an execution (leftovers, when not empty). */
    public List<String> containerIds(String executionId) {
        return calls.call("list sandbox containers", () -> client.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(LABEL, "true", EXECUTION_LABEL, executionId)).exec()
                .stream().map(Container::getId).toList());
    }

    @Override
    public void close() {
        closeQuietly(client);
        closeQuietly(streams);
    }

    List<String> command() {
        return Bootstrap.command(settings.interpreter());
    }

    /**
     * The engine-side limits. The workdir belongs to the container's uid, mode 0700; it is not the
     * container's working directory, which the engine would create root-owned over the tmpfs's
     * mode: the bootstrap changes into it.
     */
    static HostConfig hostConfig(ResolvedLimits limits, int uid) {
        String size = "size=" + limits.maxFileBytes();
        String work = "rw,exec,nosuid,nodev," + size + ",mode=0700,uid=" + uid + ",gid=" + uid;
        String tmpfs = "rw,exec,nosuid,nodev," + size + ",mode=1777";
        String shm = "rw,noexec,nosuid,nodev," + size + ",mode=1777";
        // tmpfs pages are charged to the container's memory cgroup: leave room for a full workdir
        long memory = (limits.memoryMb() + HEADROOM_MB) * MIB + limits.maxFileBytes();
        return HostConfig.newHostConfig()
                .withNetworkMode("none")
                .withReadonlyRootfs(true)
                .withTmpFs(Map.of(WORKDIR, work, "/tmp", tmpfs, "/dev/shm", shm))
                .withCapDrop(Capability.ALL)
                // no seccomp option: the engine's default profile applies (never 'unconfined')
                .withSecurityOpts(List.of("no-new-privileges"))
                .withPrivileged(false)
                .withMemory(memory)
                .withMemorySwap(memory)
                .withOomKillDisable(false)
                .withPidsLimit(limits.maxProcesses() + EXTRA_PIDS)
                .withInit(false)
                .withIpcMode("private")
                .withAutoRemove(false);
    }

    private String create(SandboxInvocation invocation, String name, int uid) {
        try {
            return calls.call("create a sandbox container", () -> client.createContainerCmd(image.name())
                    .withName(name)
                    .withEntrypoint(command())
                    .withUser(uid + ":" + uid)
                    .withHostName("sandbox")
                    .withEnv(ENVIRONMENT)
                    .withLabels(Map.of(LABEL, "true",
                            EXECUTION_LABEL, Objects.requireNonNullElse(invocation.executionId(), "")))
                    .withNetworkDisabled(true)
                    .withAttachStdin(true).withAttachStdout(true).withAttachStderr(true)
                    .withStdinOpen(true).withStdInOnce(true).withTty(false)
                    .withHostConfig(hostConfig(invocation.limits(), uid))
                    .exec()
                    .getId());
        } catch (SandboxException e) {
            throw e;
        } catch (RuntimeException e) {
            if (e instanceof NotFoundException) {
                image.forget(); // removed from the engine since: look for it again next time
            }
            throw new SandboxException("the Docker engine at " + endpoint + " cannot create a sandbox container from "
                    + image.name() + ": " + describe(e), e);
        }
    }

    private SandboxOutput await(String id, AttachedOutput frames, long deadlineMs) throws InterruptedException {
        Integer status = waitForExit(id, deadlineMs);
        boolean deadlineExceeded = status == null;
        if (deadlineExceeded) {
            kill(id);
            status = waitForExit(id, KILL_WAIT.toMillis());
        }
        frames.awaitCompletion(DRAIN_GRACE.toMillis(), MILLISECONDS);
        int exitCode = status == null ? -1 : status;
        boolean oomKilled = status != null && status != 0 && oomKilled(id);
        return new SandboxOutput(exitCode, frames.stdout(), frames.stderr(), deadlineExceeded,
                frames.stdoutTruncated(), oomKilled);
    }

    /** The container's exit status, or null when it still runs after {@code timeoutMs}. */
    private Integer waitForExit(String id, long timeoutMs) throws InterruptedException {
        WaitContainerResultCallback callback = new WaitContainerResultCallback();
        try {
            streams.waitContainerCmd(id).exec(callback);
            if (!callback.awaitCompletion(timeoutMs, MILLISECONDS)) {
                return null;
            }
            return callback.awaitStatusCode(calls.timeout().toMillis(), MILLISECONDS);
        } finally {
            closeQuietly(callback);
        }
    }

    /** Whether the kernel's OOM killer ended a process of the container (the harness, typically). */
    private boolean oomKilled(String id) {
        return Boolean.TRUE.equals(calls.call("inspect sandbox container " + shortId(id),
                () -> client.inspectContainerCmd(id).exec().getState().getOOMKilled()));
    }

    private void kill(String id) {
        try {
            calls.run("kill sandbox container " + shortId(id), () -> client.killContainerCmd(id).exec());
        } catch (NotFoundException | ConflictException e) {
            log.debug("Sandbox container {} ended before it could be killed: {}", shortId(id), e.getMessage());
        }
    }

    /**
     * Force-removes the container, then runs {@code removed}; on failure retries once in the
     * background, then logs it as left behind (and {@code removed} never runs: its uid stays out
     * of the pool while the container may still run).
     */
    private void remove(String nameOrId, Runnable removed) {
        // the waiting thread must not be interrupted, or the removal is abandoned: clear it, re-interrupt after
        boolean interrupted = Thread.interrupted();
        boolean gone = tryRemove(nameOrId, false);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (gone) {
            removed.run();
            return;
        }
        try {
            ioThreads.execute(() -> {
                if (tryRemove(nameOrId, true)) {
                    removed.run();
                }
            });
        } catch (RejectedExecutionException e) {
            log.error("Sandbox container {} is left behind (label {}=true)", nameOrId, LABEL);
        }
    }

    private boolean tryRemove(String nameOrId, boolean retry) {
        try {
            if (retry) {
                TimeUnit.SECONDS.sleep(2);
            }
            calls.run("remove sandbox container " + nameOrId,
                    () -> client.removeContainerCmd(nameOrId).withForce(true).withRemoveVolumes(true).exec());
            return true;
        } catch (NotFoundException e) {
            return true; // already gone, or never created
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (RuntimeException e) {
            if (retry) {
                log.error("Sandbox container {} is left behind (label {}=true): {}", nameOrId, LABEL, describe(e));
            } else {
                log.warn("Could not remove sandbox container {}: {}; retrying", nameOrId, describe(e));
            }
            return false;
        }
    }

    private static String shortId(String id) {
        return id == null ? "?" : id.substring(0, Math.min(12, id.length()));
    }

    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : ": " + root.getMessage().strip();
        return root == e ? e.getClass().getSimpleName() + message
                : e.getClass().getSimpleName() + " caused by " + root.getClass().getSimpleName() + message;
    }

    static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException | RuntimeException e) {
            log.debug("Closing {} failed: {}", closeable.getClass().getSimpleName(), e.getMessage());
        }
    }
}

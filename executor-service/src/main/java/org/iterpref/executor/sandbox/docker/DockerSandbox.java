package org.iterpref.executor.sandbox.docker;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.PullImageResultCallback;
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
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.iterpref.executor.runtime.ResolvedLimits;
import org.iterpref.executor.sandbox.Sandbox;
import org.iterpref.executor.sandbox.SandboxException;
import org.iterpref.executor.sandbox.SandboxInvocation;
import org.iterpref.executor.sandbox.SandboxOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Docker: one fresh container per execution, with no network ({@code --network none}), a
 * read-only root filesystem, size-capped tmpfs {@code /work} and {@code /tmp}, every capability
 * dropped, {@code no-new-privileges}, a memory limit without swap, a pids limit and a non-root
 * user. Nothing of the host is mounted: the container runs a small bootstrap given with
 * {@code python -c}, which reads the harness and its spec, length-prefixed, from the attached
 * stdin (docker-java cannot half-close an attached stdin, so nothing here waits for EOF). The
 * harness is pid 1 of the container's own pid namespace, so it may kill every other process
 * after each test. The container is force-removed whatever happens.
 */
public final class DockerSandbox implements Sandbox, AutoCloseable {

    /** Label on every sandbox container, to find leftovers. */
    public static final String LABEL = "iterpref.sandbox";
    /** Label holding the execution id of a sandbox container. */
    public static final String EXECUTION_LABEL = "iterpref.execution";

    static final String WORKDIR = "/work";
    static final int MAX_STDERR_BYTES = 64 * 1024;
    /** Memory for the harness itself beyond the program's own limit. */
    static final long HEADROOM_MB = 64;
    /** Processes for the harness beyond the program's own limit. */
    static final long EXTRA_PIDS = 8;
    private static final long MIB = 1024L * 1024;
    private static final Duration PULL_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration ATTACH_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);
    private static final Duration DRAIN_GRACE = Duration.ofSeconds(5);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    private static final Logger log = LoggerFactory.getLogger(DockerSandbox.class);

    /**
     * Runs under {@code -I -B -c}: reads a 20-byte header (harness and spec lengths, 10 decimal
     * digits each), the harness and the spec from fd 0, puts the spec behind sys.stdin and runs
     * the harness as {@code __main__}, compiled as {@code harness.py} so that its frames stay
     * out of the tracebacks it reports.
     */
    static final String BOOTSTRAP = String.join("\n",
            "import io, os, sys",
            "def _iterpref_read(n):",
            "    buf = bytearray()",
            "    while len(buf) < n:",
            "        chunk = os.read(0, n - len(buf))",
            "        if not chunk:",
            "            raise SystemExit('iterpref bootstrap: stdin ended after %d of %d bytes' % (len(buf), n))",
            "        buf += chunk",
            "    return bytes(buf)",
            "_iterpref_header = _iterpref_read(20)",
            "_iterpref_harness = _iterpref_read(int(_iterpref_header[:10]))",
            "sys.stdin = io.TextIOWrapper(io.BytesIO(_iterpref_read(int(_iterpref_header[10:]))), encoding='utf-8')",
            "exec(compile(_iterpref_harness, 'harness.py', 'exec'))",
            "");

    static final List<String> ENVIRONMENT = List.of(
            "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + WORKDIR, "TMPDIR=/tmp", "LANG=C.UTF-8",
            "PYTHONHASHSEED=0", "PYTHONIOENCODING=utf-8", "MPLBACKEND=Agg", "OMP_NUM_THREADS=1",
            "OPENBLAS_NUM_THREADS=1", "MKL_NUM_THREADS=1", "NUMEXPR_NUM_THREADS=1");

    private final String image;
    private final String interpreter;
    private final String user;
    private final ExecutorService ioThreads;
    private final String endpoint;
    private final DockerClient client;
    private final DockerClient probe;
    private final Object imageLock = new Object();
    private volatile boolean imageReady;

    /**
     * @param host        Docker endpoint; blank means DOCKER_HOST or {@code unix:///var/run/docker.sock}
     * @param image       image with a Python interpreter, pulled on first use when absent
     * @param interpreter interpreter inside the image, e.g. {@code python3}
     * @param user        non-root user the container runs as, e.g. {@code 65534:65534}
     * @param ioThreads   runs the retries of container removals that failed
     */
    public DockerSandbox(String host, String image, String interpreter, String user, ExecutorService ioThreads) {
        String uid = user == null ? "" : user.split(":", 2)[0].strip();
        if (uid.isEmpty() || uid.equals("0") || uid.equals("root")) {
            throw new IllegalArgumentException("the Docker sandbox needs a non-root user, not '" + user + "'");
        }
        this.image = image;
        this.interpreter = interpreter;
        this.user = user;
        this.ioThreads = ioThreads;
        DefaultDockerClientConfig.Builder builder = DefaultDockerClientConfig.createDefaultConfigBuilder();
        if (host != null && !host.isBlank()) {
            builder.withDockerHost(host.strip());
        }
        DockerClientConfig config = builder.build();
        this.endpoint = config.getDockerHost().toString();
        this.client = client(config, null);
        this.probe = client(config, PROBE_TIMEOUT);
    }

    private static DockerClient client(DockerClientConfig config, Duration responseTimeout) {
        // no response timeout on the main client: attach and wait streams stay silent for as long as a test runs
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .connectionTimeout(CONNECT_TIMEOUT)
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

    /** Empty when a Docker engine answers; otherwise why not. */
    public Optional<String> unavailableReason() {
        try {
            probe.pingCmd().exec();
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of("no Docker engine answers at " + endpoint + " (" + describe(e) + ")");
        }
    }

    /** Whether a Docker engine answers. */
    public boolean ping() {
        return unavailableReason().isEmpty();
    }

    @Override
    public SandboxOutput run(SandboxInvocation invocation) {
        ensureImage();
        String id = create(invocation);
        AttachedOutput frames = new AttachedOutput(invocation.maxStdoutBytes(), MAX_STDERR_BYTES);
        try {
            client.attachContainerCmd(id).withStdIn(new ByteArrayInputStream(stdin(invocation)))
                    .withStdOut(true).withStdErr(true).withFollowStream(true).withLogs(false).exec(frames);
            frames.awaitAttached(ATTACH_TIMEOUT);
            client.startContainerCmd(id).exec();
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
            remove(id);
        }
    }

    /** Ids of the containers, running or not, of an execution (leftovers, when not empty). */
    public List<String> containerIds(String executionId) {
        return client.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(LABEL, "true", EXECUTION_LABEL, executionId)).exec()
                .stream().map(Container::getId).toList();
    }

    @Override
    public void close() {
        closeQuietly(client);
        closeQuietly(probe);
    }

    List<String> command() {
        return List.of(interpreter, "-I", "-B", "-c", BOOTSTRAP);
    }

    /** Header with both lengths, then the harness, then the spec. */
    static byte[] stdin(SandboxInvocation invocation) {
        byte[] harness = invocation.runtime().harnessSource();
        byte[] spec = invocation.encodedSpec(java.util.Map.of());
        byte[] header = String.format("%010d%010d", harness.length, spec.length).getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream data = new ByteArrayOutputStream(header.length + harness.length + spec.length);
        data.writeBytes(header);
        data.writeBytes(harness);
        data.writeBytes(spec);
        return data.toByteArray();
    }

    static HostConfig hostConfig(ResolvedLimits limits) {
        String tmpfs = "rw,exec,nosuid,nodev,size=" + limits.maxFileBytes() + ",mode=1777";
        // tmpfs pages are charged to the container's memory cgroup: leave room for a full workdir
        long memory = (limits.memoryMb() + HEADROOM_MB) * MIB + limits.maxFileBytes();
        return HostConfig.newHostConfig()
                .withNetworkMode("none")
                .withReadonlyRootfs(true)
                .withTmpFs(Map.of(WORKDIR, tmpfs, "/tmp", tmpfs))
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withMemory(memory)
                .withMemorySwap(memory)
                .withPidsLimit(limits.maxProcesses() + EXTRA_PIDS)
                .withInit(false)
                .withIpcMode("private")
                .withAutoRemove(false);
    }

    private String create(SandboxInvocation invocation) {
        try {
            return client.createContainerCmd(image)
                    .withEntrypoint(command())
                    .withUser(user)
                    .withWorkingDir(WORKDIR)
                    .withHostName("sandbox")
                    .withEnv(ENVIRONMENT)
                    .withLabels(Map.of(LABEL, "true",
                            EXECUTION_LABEL, Objects.requireNonNullElse(invocation.executionId(), "")))
                    .withNetworkDisabled(true)
                    .withAttachStdin(true).withAttachStdout(true).withAttachStderr(true)
                    .withStdinOpen(true).withStdInOnce(true).withTty(false)
                    .withHostConfig(hostConfig(invocation.limits()))
                    .exec()
                    .getId();
        } catch (RuntimeException e) {
            if (e instanceof NotFoundException) {
                imageReady = false; // removed from the engine since: pull it again next time
            }
            throw new SandboxException("the Docker engine at " + endpoint + " cannot create a sandbox container from "
                    + image + ": " + describe(e), e);
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
        int exitCode = status == null ? -1 : exitCode(id, status);
        return new SandboxOutput(exitCode, frames.stdout(), frames.stderr(), deadlineExceeded,
                frames.stdoutTruncated());
    }

    /** The container's exit status, or null when it still runs after {@code timeoutMs}. */
    private Integer waitForExit(String id, long timeoutMs) throws InterruptedException {
        WaitContainerResultCallback callback = client.waitContainerCmd(id).exec(new WaitContainerResultCallback());
        if (!callback.awaitCompletion(timeoutMs, MILLISECONDS)) {
            return null;
        }
        return callback.awaitStatusCode();
    }

    /** 137 when the kernel's OOM killer ended the harness, as if by SIGKILL. */
    private int exitCode(String id, int status) {
        if (status == 0) {
            return 0;
        }
        Boolean oomKilled = client.inspectContainerCmd(id).exec().getState().getOOMKilled();
        return Boolean.TRUE.equals(oomKilled) ? 137 : status;
    }

    private void kill(String id) {
        try {
            client.killContainerCmd(id).exec();
        } catch (NotFoundException | ConflictException e) {
            log.debug("Sandbox container {} ended before it could be killed: {}", shortId(id), e.getMessage());
        }
    }

    /** Force-removes the container; on failure retries once in the background, then logs it as left behind. */
    private void remove(String id) {
        // an interrupted thread would abort the engine call on its NIO socket: remove first, re-interrupt after
        boolean interrupted = Thread.interrupted();
        boolean removed = tryRemove(id, false);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (!removed) {
            try {
                ioThreads.execute(() -> tryRemove(id, true));
            } catch (RejectedExecutionException e) {
                log.error("Sandbox container {} is left behind (label {}=true)", shortId(id), LABEL);
            }
        }
    }

    private boolean tryRemove(String id, boolean retry) {
        try {
            if (retry) {
                TimeUnit.SECONDS.sleep(2);
            }
            client.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
            return true;
        } catch (NotFoundException e) {
            return true; // already gone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (RuntimeException e) {
            if (retry) {
                log.error("Sandbox container {} is left behind (label {}=true): {}", shortId(id), LABEL, describe(e));
            } else {
                log.warn("Could not remove sandbox container {}: {}; retrying", shortId(id), describe(e));
            }
            return false;
        }
    }

    private void ensureImage() {
        if (imageReady) {
            return;
        }
        synchronized (imageLock) {
            if (imageReady) {
                return;
            }
            try {
                client.inspectImageCmd(image).exec();
            } catch (NotFoundException e) {
                pull();
            } catch (RuntimeException e) {
                throw new SandboxException("the Docker engine at " + endpoint + " does not answer: " + describe(e), e);
            }
            imageReady = true;
        }
    }

    private void pull() {
        log.info("Sandbox image {} is not on the Docker engine at {}; pulling it (at most {} s)", image, endpoint,
                PULL_TIMEOUT.toSeconds());
        int at = image.indexOf('@');
        int colon = image.lastIndexOf(':');
        boolean tagged = at < 0 && colon > image.lastIndexOf('/');
        String repository = at >= 0 ? image.substring(0, at) : tagged ? image.substring(0, colon) : image;
        String tag = at >= 0 ? image.substring(at + 1) : tagged ? image.substring(colon + 1) : "latest";
        try {
            PullImageResultCallback callback = client.pullImageCmd(repository).withTag(tag)
                    .exec(new PullImageResultCallback());
            if (!callback.awaitCompletion(PULL_TIMEOUT.toMillis(), MILLISECONDS)) {
                throw new SandboxException("pulling sandbox image " + image + " took longer than "
                        + PULL_TIMEOUT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while pulling sandbox image " + image, e);
        } catch (SandboxException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new SandboxException("cannot pull sandbox image " + image + ": " + describe(e), e);
        }
        log.info("Pulled sandbox image {}", image);
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

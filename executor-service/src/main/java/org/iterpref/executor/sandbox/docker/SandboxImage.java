package org.iterpref.executor.sandbox.docker;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import java.time.Duration;
import org.iterpref.executor.sandbox.SandboxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The sandbox image on the engine: checked once, pulled (bounded) when absent, checked again once forgotten. */
final class SandboxImage {

    private static final Duration PULL_TIMEOUT = Duration.ofMinutes(10);
    private static final Logger log = LoggerFactory.getLogger(SandboxImage.class);

    private final String image;
    private final EngineCalls calls;
    private final DockerClient client;
    private final DockerClient streams;
    private final String endpoint;
    private final Object lock = new Object();
    private volatile boolean ready;

    SandboxImage(String image, EngineCalls calls, DockerClient client, DockerClient streams, String endpoint) {
        this.image = image;
        this.calls = calls;
        this.client = client;
        this.streams = streams;
        this.endpoint = endpoint;
    }

    String name() {
        return image;
    }

    void ensure() {
        if (ready) {
            return;
        }
        synchronized (lock) {
            if (ready) {
                return;
            }
            try {
                calls.run("inspect image " + image, () -> client.inspectImageCmd(image).exec());
            } catch (NotFoundException e) {
                pull();
            } catch (SandboxException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new SandboxException("the Docker engine at " + endpoint + " cannot inspect sandbox image "
                        + image + ": " + DockerSandbox.describe(e), e);
            }
            ready = true;
        }
    }

    /** Whether the engine has the image now (nothing is pulled). */
    boolean present() {
        try {
            calls.run("inspect image " + image, () -> client.inspectImageCmd(image).exec());
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /** The image went missing (a create said so): look for it again next time. */
    void forget() {
        ready = false;
    }

    private void pull() {
        log.info("Sandbox image {} is not on the Docker engine at {}; pulling it (at most {} s). Without a registry, "
                + "build it with scripts/docker-engine.sh", image, endpoint, PULL_TIMEOUT.toSeconds());
        int at = image.indexOf('@');
        int colon = image.lastIndexOf(':');
        boolean tagged = at < 0 && colon > image.lastIndexOf('/');
        String repository = at >= 0 ? image.substring(0, at) : tagged ? image.substring(0, colon) : image;
        String tag = at >= 0 ? image.substring(at + 1) : tagged ? image.substring(colon + 1) : "latest";
        PullImageResultCallback callback = new PullImageResultCallback();
        try {
            streams.pullImageCmd(repository).withTag(tag).exec(callback);
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
            throw new SandboxException("sandbox image " + image + " is not on the Docker engine at " + endpoint
                    + " and cannot be pulled (" + DockerSandbox.describe(e) + "); build it offline with "
                    + "scripts/docker-engine.sh or configure iterpref.executor.docker.image", e);
        } finally {
            DockerSandbox.closeQuietly(callback);
        }
        log.info("Pulled sandbox image {}", image);
    }
}

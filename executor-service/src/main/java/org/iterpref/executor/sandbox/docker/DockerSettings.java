package org.iterpref.executor.sandbox.docker;

import java.time.Duration;
import java.util.Objects;

/**
 * How the Docker sandbox reaches its engine and what it runs there.
 *
 * @param host           Docker endpoint; blank means DOCKER_HOST or {@code unix:///var/run/docker.sock}
 * @param image          image with a Python interpreter, pulled on first use when absent
 * @param interpreter    interpreter inside the image, e.g. {@code /usr/bin/python3}
 * @param uidBase        first uid of the pool each running container takes its own uid from
 * @param uidCount       size of that pool (at least the number of concurrent executions)
 * @param connectTimeout bound on connecting to the engine
 * @param callTimeout    bound on every ordinary engine call (create, start, inspect, kill, remove ...)
 * @param maxDeadline    the longest execution deadline: the attach and wait streams may stay silent
 *                       that long, and no longer
 */
public record DockerSettings(String host, String image, String interpreter, int uidBase, int uidCount,
                             Duration connectTimeout, Duration callTimeout, Duration maxDeadline) {

    public DockerSettings {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(interpreter, "interpreter");
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(callTimeout, "callTimeout");
        requirePositive(maxDeadline, "maxDeadline");
        if (uidBase < 1000 || uidCount < 1) {
            throw new IllegalArgumentException("the Docker sandbox needs unprivileged uids (base >= 1000, count >= 1),"
                    + " not base " + uidBase + " and count " + uidCount);
        }
    }

    private static void requirePositive(Duration duration, String name) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, not " + duration);
        }
    }
}

package org.iterpref.executor.sandbox.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The few file-system operations the package performs on a cgroup tree. The real one works on
 * cgroupfs; tests override it to emulate the kernel's side effects (interface files appearing on
 * mkdir, cgroup.procs moving processes) in a plain directory under a temp dir.
 */
class CgroupFs {

    void mkdir(Path dir) throws IOException {
        Files.createDirectory(dir);
    }

    /** rmdir(2): on cgroupfs removes a cgroup without processes or child cgroups. */
    void rmdir(Path dir) throws IOException {
        Files.delete(dir);
    }

    boolean exists(Path path) {
        return Files.exists(path);
    }

    String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.US_ASCII);
    }

    /** One write(2) of the whole value, never creating the file: cgroupfs handles each write as one command. */
    void write(Path file, String value) throws IOException {
        Files.write(file, value.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE);
    }

    List<Path> subdirectories(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return new ArrayList<>(entries.filter(Files::isDirectory).toList());
        }
    }

    boolean writable(Path path) {
        return Files.isWritable(path);
    }

    /** SIGKILL; never the current process. */
    void kill(long pid) {
        if (pid != ProcessHandle.current().pid()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** Whether a process with this pid exists in our pid namespace. */
    boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    long ownPid() {
        return ProcessHandle.current().pid();
    }
}

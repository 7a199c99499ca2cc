package org.iterpref.executor.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CPython 3. The harness uses only the standard library; the solution sees every package
 * installed for the configured interpreter, read-only.
 */
public final class PythonRuntime implements LanguageRuntime {

    private static final Logger log = LoggerFactory.getLogger(PythonRuntime.class);
    private static final List<Path> SYSTEM_ROOTS = List.of(Path.of("/usr"), Path.of("/bin"), Path.of("/lib"),
            Path.of("/lib64"), Path.of("/sbin"));

    private final String interpreter;
    private final byte[] harness;
    private final byte[] forkServer;
    private final byte[] seccomp;
    private final List<Path> extraRoots;
    private final List<String> sysPath;

    public PythonRuntime(String interpreter) {
        this.interpreter = interpreter;
        this.harness = resource("harness.py");
        this.forkServer = resource("forkserver.py");
        this.seccomp = resource("sandbox_seccomp.py");
        List<String> probed = probe(interpreter);
        this.sysPath = probed.stream().filter(l -> l.startsWith("path ")).map(l -> l.substring(5)).toList();
        this.extraRoots = rootsOutsideTheSystem(probed);
    }

    @Override
    public String language() {
        return "python";
    }

    @Override
    public String interpreter() {
        return interpreter;
    }

    @Override
    public List<Path> extraReadOnlyRoots() {
        return extraRoots;
    }

    @Override
    public String harnessFileName() {
        return "harness.py";
    }

    @Override
    public byte[] harnessSource() {
        return harness.clone();
    }

    /**
     * Marshal, plus the interpreter's {@code sys.path} as the service saw it at start-up: the
     * harness runs with {@code -S} (site processing is a quarter of CPython's start-up) and
     * restores the same path itself.
     */
    @Override
    public byte[] encodeSpec(java.util.Map<String, Object> spec) {
        java.util.Map<String, Object> withPath = new java.util.LinkedHashMap<>(spec);
        withPath.put("path", sysPath);
        return PythonMarshal.dump(withPath);
    }

    @Override
    public List<String> harnessCommand(String interpreterPath, String harnessPath) {
        // -I: no user site, no PYTHON* variables, no script directory on sys.path; -B: no .pyc
        // writes; -S: no site processing (the spec carries sys.path)
        return List.of(interpreterPath, "-I", "-B", "-S", harnessPath);
    }

    @Override
    public java.util.Map<String, byte[]> sandboxFiles() {
        // sandbox_seccomp.py: the libseccomp filter trusted code installs before untrusted code runs
        return java.util.Map.of("harness.py", harness.clone(), "forkserver.py", forkServer.clone(),
                "sandbox_seccomp.py", seccomp.clone());
    }

    @Override
    public List<String> forkServerCommand(String interpreterPath, String dir) {
        return List.of(interpreterPath, "-I", "-B", "-S", dir + "/forkserver.py");
    }

    private static byte[] resource(String name) {
        try (InputStream in = PythonRuntime.class.getResourceAsStream("/runtime/python/" + name)) {
            if (in == null) {
                throw new IllegalStateException("runtime/python/" + name + " missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The interpreter's sys.path (site directories included) and the real paths of its prefixes. */
    private static List<String> probe(String interpreter) {
        List<String> command = List.of(interpreter, "-I", "-c",
                "import sys, os\nfor p in sys.path: print('path', p)\n"
                        + "for p in [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.realpath(sys.executable)]"
                        + " + sys.path: print('root', os.path.realpath(p))");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
                log.warn("Could not ask {} for its paths: {}", interpreter, out.strip());
                return List.of();
            }
            return out.lines().filter(l -> l.startsWith("path ") || l.startsWith("root ")).toList();
        } catch (IOException e) {
            log.warn("Python interpreter {} cannot be started: {}", interpreter, e.getMessage());
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** Directories the system mounts do not already cover (a venv, pyenv or conda prefix). */
    private static List<Path> rootsOutsideTheSystem(List<String> probed) {
        Set<Path> roots = new LinkedHashSet<>();
        for (String line : probed) {
            if (!line.startsWith("root ") || line.length() <= 5) {
                continue;
            }
            Path path = Path.of(line.substring(5).strip());
            boolean covered = SYSTEM_ROOTS.stream().anyMatch(path::startsWith);
            if (!covered && path.toFile().exists()) {
                roots.add(topLevelPrefix(path));
            }
        }
        List<Path> distinct = new ArrayList<>();
        roots.stream().sorted().forEach(root -> {
            if (distinct.stream().noneMatch(root::startsWith)) {
                distinct.add(root);
            }
        });
        return List.copyOf(distinct);
    }

    /** A file (the interpreter binary) is mounted through its directory's parent prefix. */
    private static Path topLevelPrefix(Path path) {
        Path p = path.toFile().isFile() ? path.getParent() : path;
        if (p.getFileName() != null && p.getFileName().toString().equals("bin") && p.getParent() != null) {
            return p.getParent();
        }
        return p;
    }
}

package org.iterpref.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import tools.jackson.databind.JsonNode;

/**
 * A representative subset of executor-service's HostileProgramsTest, as request bodies: a fork
 * bomb, a memory hog, an infinite loop, a connection to a port on the host's loopback, a DNS
 * lookup, reading host secrets (/etc/shadow, a file only the host has, the gateway's bootstrap
 * key), writing outside the work directory, a flood of output. Each with the verdicts it must get.
 */
final class HostilePrograms {

    static final String NOOP = "def f():\n    return 1\n";
    static final String PROBE = "host-write-" + UUID.randomUUID().toString().substring(0, 8);
    static final List<String> WRITE_DIRS = List.of("/", "/usr", "/usr/lib", "/etc", "/bin",
            System.getProperty("java.io.tmpdir"));

    record Case(String name, IntFunction<Map<String, Object>> bodyForPort, List<String> expected,
                Consumer<JsonNode> check) {

        Map<String, Object> body(int listenerPort) {
            return bodyForPort.apply(listenerPort);
        }
    }

    private HostilePrograms() {
    }

    static List<Case> cases(PlatformProcesses platform) throws IOException {
        String secret = "secret-" + UUID.randomUUID();
        Path secretFile = Files.createTempFile("iterpref-secret-", ".txt");
        Files.writeString(secretFile, secret);
        secretFile.toFile().setReadable(true, false);
        secretFile.toFile().deleteOnExit();
        Path keyFile = platform.work.resolve("gateway-bootstrap-key");
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("fork bomb", port -> execution(NOOP, List.of(test("bomb", "import os\nwhile True:\n"
                + "    os.fork()\n")), Map.of("maxProcesses", 32, "wallTimeMs", 10_000)), List.of("ERROR"),
                r -> assertThat(r.get("wallTimeMs").asLong()).isLessThan(10_000)));
        cases.add(new Case("memory hog", port -> execution(NOOP, List.of(test("hog", "chunks = []\nwhile True:\n"
                + "    chunks.append(bytearray(16 * 1024 * 1024))\n")), Map.of("memoryMb", 128)),
                List.of("MEMORY_LIMIT"), r -> { }));
        cases.add(new Case("infinite loop", port -> execution("while True:\n    pass\n",
                List.of(io("loop", "", "")), Map.of("wallTimeMs", 1000)), List.of("TIMEOUT"), r -> { }));
        cases.add(new Case("host loopback connection", port -> execution("import socket\ntry:\n"
                + "    socket.create_connection(('127.0.0.1', " + port + "), timeout=2)\n    reached = True\n"
                + "except OSError:\n    reached = False\n", List.of(test("isolated", "assert reached is False")),
                Map.of()), List.of("PASSED"), r -> { }));
        cases.add(new Case("dns lookup", port -> execution("import socket\ndef resolve(host):\n    try:\n"
                + "        return socket.getaddrinfo(host, 443)\n    except OSError:\n        return None\n",
                List.of(test("dns", "assert resolve('example.com') is None")), Map.of()), List.of("PASSED"), r -> { }));
        cases.add(new Case("host secrets", port -> execution("candidates = ['/etc/shadow', '/root/.bashrc', '"
                + secretFile + "', '/proc/1/root" + secretFile + "', '" + keyFile + "', '/proc/1/environ']\n"
                + "readable = []\nfor c in candidates:\n    try:\n        open(c).read()\n        readable.append(c)\n"
                + "    except OSError:\n        pass\nprint(readable)\n", List.of(io("secrets", "", "[]\n")), Map.of()),
                List.of("PASSED"), r -> assertThat(r.toString()).doesNotContain(secret)
                        .doesNotContain(platform.bootstrapKey)));
        cases.add(new Case("write outside the workdir", port -> execution("import os\nwritten = []\nfor d in "
                + WRITE_DIRS.stream().map(d -> "'" + d + "'").toList() + ":\n    try:\n"
                + "        with open(os.path.join(d, '" + PROBE + "'), 'w') as f:\n            f.write('x')\n"
                + "        written.append(d)\n    except OSError:\n        pass\n",
                List.of(test("writes", "assert written in ([], ['/tmp']), written")), Map.of()), List.of("PASSED"),
                r -> { }));
        cases.add(new Case("output flood", port -> execution("import sys\nchunk = 'x' * (1 << 20)\n"
                + "for _ in range(1024):\n    sys.stdout.write(chunk)\n", List.of(io("flood", "", "")),
                Map.of("maxOutputBytes", 65536)), List.of("OUTPUT_LIMIT"), r -> { }));
        return cases;
    }

    static void assertNothingWrittenOutside() {
        for (String dir : WRITE_DIRS) {
            assertThat(Path.of(dir, PROBE)).doesNotExist();
        }
    }

    static List<String> verdicts(JsonNode result) {
        List<String> verdicts = new ArrayList<>();
        result.path("tests").forEach(t -> verdicts.add(t.path("verdict").asString()));
        return verdicts;
    }

    private static Map<String, Object> execution(String code, List<Map<String, Object>> tests, Map<String, Object> limits) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("language", "python");
        body.put("code", code);
        body.put("tests", tests);
        if (!limits.isEmpty()) {
            body.put("limits", limits);
        }
        return body;
    }

    private static Map<String, Object> test(String name, String code) {
        return Map.of("name", name, "code", code);
    }

    private static Map<String, Object> io(String name, String stdin, String expected) {
        return Map.of("name", name, "stdin", stdin, "expectedStdout", expected);
    }

    /** A port on the host's loopback; whether anything connected to it. */
    static Listener listener() {
        try {
            return new Listener(new ServerSocket(0, 10, InetAddress.getLoopbackAddress()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Listener(ServerSocket socket) implements AutoCloseable {

        int port() {
            return socket.getLocalPort();
        }

        boolean accepted() throws IOException {
            socket.setSoTimeout(200);
            try (var ignored = socket.accept()) {
                return true;
            } catch (SocketTimeoutException e) {
                return false;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}

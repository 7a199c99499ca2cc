package org.iterpref.executor.sandbox.cgroup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.iterpref.executor.sandbox.cgroup.CgroupSupport.Mode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Detection and the v2 code paths against a fake tree under a temp dir, with a {@link CgroupFs}
 * that emulates what the kernel does on mkdir, rmdir and writes to cgroup.procs,
 * cgroup.subtree_control and cgroup.kill (no host here has v2 memory and pids controllers).
 */
class FakeCgroupTreeTest {

    private static final long MIB = 1 << 20;
    private static final long SELF = 4242;

    @TempDir
    Path tmp;
    private Path root;
    private Path service;
    private FakeFs fs;

    /** The kernel's side of cgroupfs, as far as this package relies on it. */
    static final class FakeFs extends CgroupFs {
        final Path hierarchy;
        final Set<Long> alive = new HashSet<>(Set.of(SELF, 4243L));

        FakeFs(Path hierarchy) {
            this.hierarchy = hierarchy;
        }

        @Override
        void mkdir(Path dir) throws IOException {
            Files.createDirectory(dir);
            Set<String> controllers = words(dir.getParent().resolve("cgroup.subtree_control"));
            Files.writeString(dir.resolve("cgroup.controllers"), String.join(" ", controllers));
            Files.writeString(dir.resolve("cgroup.subtree_control"), "");
            Files.writeString(dir.resolve("cgroup.procs"), "");
            Files.writeString(dir.resolve("cgroup.kill"), "");
            if (controllers.contains("memory")) {
                Files.writeString(dir.resolve("memory.max"), "max\n");
                Files.writeString(dir.resolve("memory.swap.max"), "max\n");
                Files.writeString(dir.resolve("memory.oom.group"), "0\n");
                Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
                Files.writeString(dir.resolve("memory.peak"), "0\n");
                Files.writeString(dir.resolve("memory.current"), "0\n");
            }
            if (controllers.contains("pids")) {
                Files.writeString(dir.resolve("pids.max"), "max\n");
                Files.writeString(dir.resolve("pids.current"), "0\n");
            }
        }

        @Override
        void rmdir(Path dir) throws IOException {
            if (!Files.exists(dir)) {
                throw new java.nio.file.NoSuchFileException(dir.toString());
            }
            if (!Files.readString(dir.resolve("cgroup.procs")).isBlank() || !subdirectories(dir).isEmpty()) {
                throw new FileSystemException(dir.toString(), null, "Device or resource busy");
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }

        @Override
        void write(Path file, String value) throws IOException {
            Path dir = file.getParent();
            switch (file.getFileName().toString()) {
                case "cgroup.procs" -> {
                    long pid = Long.parseLong(value.strip());
                    removeEverywhere(pid);
                    Files.writeString(file, Files.readString(file) + pid + "\n");
                }
                case "cgroup.subtree_control" -> {
                    if (!dir.equals(hierarchy) && !Files.readString(dir.resolve("cgroup.procs")).isBlank()) {
                        throw new FileSystemException(file.toString(), null, "Device or resource busy");
                    }
                    Set<String> enabled = words(file);
                    Set<String> offered = words(dir.resolve("cgroup.controllers"));
                    for (String w : value.strip().split("\\s+")) {
                        if (!offered.contains(w.substring(1))) {
                            throw new FileSystemException(file.toString(), null, "No such file or directory");
                        }
                        enabled.add(w.substring(1));
                    }
                    Files.writeString(file, String.join(" ", enabled.stream().sorted().toList()));
                }
                case "cgroup.kill" -> Files.writeString(dir.resolve("cgroup.procs"), "");
                default -> {
                    if (!Files.exists(file)) {
                        throw new java.nio.file.NoSuchFileException(file.toString());
                    }
                    Files.writeString(file, value);
                }
            }
        }

        @Override
        void kill(long pid) {
            alive.remove(pid);
            try {
                removeEverywhere(pid);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }

        @Override
        boolean alive(long pid) {
            return alive.contains(pid);
        }

        @Override
        long ownPid() {
            return SELF;
        }

        @Override
        boolean writable(Path path) {
            return true;
        }

        private void removeEverywhere(long pid) throws IOException {
            try (Stream<Path> all = Files.walk(hierarchy)) {
                for (Path procs : all.filter(p -> p.getFileName().toString().equals("cgroup.procs")).toList()) {
                    String kept = Files.readString(procs).lines().filter(l -> !l.equals(Long.toString(pid)))
                            .map(l -> l + "\n").collect(Collectors.joining());
                    Files.writeString(procs, kept);
                }
            }
        }

        static Set<String> words(Path file) throws IOException {
            String s = Files.exists(file) ? Files.readString(file).strip() : "";
            return s.isEmpty() ? new HashSet<>() : new HashSet<>(Arrays.asList(s.split("\\s+")));
        }
    }

    @BeforeEach
    void tree() throws IOException {
        root = tmp.resolve("sys/fs/cgroup");
        Files.createDirectories(root);
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc");
        Files.writeString(root.resolve("cgroup.subtree_control"), "cpu io memory pids");
        Files.writeString(root.resolve("cgroup.procs"), "1\n");
        fs = new FakeFs(root);
        fs.mkdir(root.resolve("system.slice"));
        Files.writeString(root.resolve("system.slice/cgroup.subtree_control"), "cpu io memory pids");
        service = root.resolve("system.slice/iterpref\\x2dexecutor.service");
        fs.mkdir(service);
        Files.writeString(service.resolve("cgroup.procs"), SELF + "\n4243\n");
        Files.writeString(tmp.resolve("mountinfo"), """
                22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
                35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
                """);
        Files.writeString(tmp.resolve("cgroup"), "0::/system.slice/iterpref\\x2dexecutor.service\n");
    }

    private CgroupSupport detect(String parent) {
        return CgroupSupport.detect(tmp.resolve("mountinfo"), tmp.resolve("cgroup"), tmp, parent, fs);
    }

    private CgroupManager open(String parent) {
        return CgroupManager.open(new CgroupSettings(true, parent, null, Duration.ofMillis(200)), detect(parent), fs);
    }

    @Test
    void detectsV2UnderTheServicesOwnCgroup() {
        CgroupSupport support = detect(null);
        assertThat(support.mode()).isEqualTo(Mode.V2);
        assertThat(support.bases()).singleElement().satisfies(b -> {
            assertThat(b.purpose()).isEqualTo("unified");
            assertThat(b.dir()).isEqualTo(service);
        });
    }

    @Test
    void movesTheServiceIntoALeafCreatesTheParentAndExecutionCgroupsWithTheirLimits() throws IOException {
        try (CgroupManager manager = open(null)) {
            assertThat(manager.available()).as(manager.description()).isTrue();
            Path parent = service.resolve("iterpref-4242");
            assertThat(manager.parentDirectories()).containsExactly(parent);
            assertThat(Files.readString(service.resolve("cgroup.procs"))).isBlank();
            assertThat(Files.readString(service.resolve("iterpref.leaf/cgroup.procs")).lines())
                    .containsExactly("4242", "4243");
            assertThat(FakeFs.words(service.resolve("cgroup.subtree_control"))).contains("memory", "pids");
            assertThat(FakeFs.words(parent.resolve("cgroup.subtree_control"))).contains("memory", "pids");

            ExecutionCgroup cgroup = manager.create("exec-1", 64 * MIB, 10);
            Path dir = parent.resolve("exec-1");
            assertThat(cgroup.directories()).containsExactly(dir);
            assertThat(Files.readString(dir.resolve("memory.max"))).isEqualTo(Long.toString(64 * MIB));
            assertThat(Files.readString(dir.resolve("memory.swap.max"))).isEqualTo("0");
            assertThat(Files.readString(dir.resolve("pids.max"))).isEqualTo("10");
            assertThat(Files.readString(dir.resolve("memory.oom.group"))).isEqualTo("0");
            assertThat(cgroup.procsFiles()).containsExactly(dir.resolve("cgroup.procs"));
            assertThat(cgroup.placeSelfCommand()).containsExactly("/bin/sh", "-c",
                    "for f in '" + dir.resolve("cgroup.procs") + "'; do echo $$ > \"$f\" || exit 125; done; "
                            + "exec \"$@\"", "sh");
            assertThat(cgroup.sandboxBinds()).containsExactly(new CgroupBind(dir, "unified", "/sys/fs/cgroup"));

            // readings
            Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 17\noom 2\noom_kill 3\noom_group_kill 0\n");
            Files.writeString(dir.resolve("memory.peak"), "12345\n");
            Files.writeString(dir.resolve("pids.current"), "2\n");
            assertThat(cgroup.oomKills()).isEqualTo(3);
            assertThat(cgroup.memoryLimitHits()).isEqualTo(17);
            assertThat(cgroup.peakBytes()).hasValue(12345);
            assertThat(cgroup.currentPids()).isEqualTo(2);
            Files.delete(dir.resolve("memory.peak"));   // before 5.19
            assertThat(cgroup.peakBytes()).isEmpty();

            // kill and close
            fs.alive.add(77L);
            Files.writeString(dir.resolve("cgroup.procs"), "77\n");
            assertThat(cgroup.killAll()).isTrue();
            assertThat(cgroup.pids()).isEmpty();
            Files.writeString(dir.resolve("cgroup.procs"), "78\n");
            cgroup.close();
            assertThat(dir).doesNotExist();
            cgroup.close();

            // left open: closed with the manager
            ExecutionCgroup open = manager.create("exec-2", 64 * MIB, 10);
            assertThat(open.directories().get(0)).isDirectory();
        }
        assertThat(service.resolve("iterpref-4242")).doesNotExist();
    }

    @Test
    void forkServerLayoutIsParentWithServerAndOneExecReusedWithNewLimits() throws IOException {
        try (CgroupManager manager = open(null)) {
            ForkServerCgroup forkServer = manager.createForkServer(3, 256 * MIB, 64);
            Path fsDir = service.resolve("iterpref-4242/fs-3");
            assertThat(FakeFs.words(fsDir.resolve("cgroup.subtree_control"))).contains("memory", "pids");
            assertThat(forkServer.server().directories()).containsExactly(fsDir.resolve("server"));
            assertThat(forkServer.writableBinds()).containsExactly(new CgroupBind(fsDir, "unified", "/sys/fs/cgroup"));
            assertThat(forkServer.execProcsInSandbox()).containsExactly("/sys/fs/cgroup/exec/cgroup.procs");
            ExecutionCgroup first = forkServer.newExecution(64 * MIB, 8);
            Files.writeString(fsDir.resolve("exec/memory.events"), "oom_kill 1\n");
            ExecutionCgroup second = forkServer.newExecution(32 * MIB, 4);
            // the same cgroup with new limits (making and removing memory cgroups costs milliseconds);
            // its counters go on counting, and readers take differences
            assertThat(second).isSameAs(first);
            assertThat(second.oomKills()).isEqualTo(1);
            assertThat(Files.readString(fsDir.resolve("exec/pids.max"))).isEqualTo("4");
            assertThat(Files.readString(fsDir.resolve("exec/memory.max"))).isEqualTo(Long.toString(32 * MIB));
            assertThat(first.directories()).isEqualTo(second.directories());
        }
        assertThat(service.resolve("iterpref-4242")).doesNotExist();
    }

    @Test
    void staleParentsOfDeadPidsAreRemovedWhenEmpty() throws IOException {
        // a first start moves the service into the leaf; then other services' leftovers appear
        open(null).close();
        Path dead = service.resolve("iterpref-999");
        fs.mkdir(dead);
        fs.mkdir(dead.resolve("fs-0"));
        Path busy = service.resolve("iterpref-998-x");
        fs.mkdir(busy);
        fs.mkdir(busy.resolve("exec"));
        Files.writeString(busy.resolve("exec/cgroup.procs"), "5000\n");
        Path live = service.resolve("iterpref-4243");
        fs.mkdir(live);
        try (CgroupManager manager = open(null)) {
            assertThat(manager.available()).isTrue();
        }
        assertThat(dead).doesNotExist();
        assertThat(busy.resolve("exec")).isDirectory();
        assertThat(live).isDirectory();
    }

    @Test
    void aConfiguredParentHoldingProcessesIsRefusedNotMoved() throws IOException {
        try (CgroupManager manager = open("/system.slice/iterpref\\x2dexecutor.service")) {
            assertThat(manager.available()).isFalse();
            assertThat(manager.description()).contains("must hold no processes");
            assertThat(Files.readString(service.resolve("cgroup.procs")).lines()).contains("4242");
            assertThatNoParent();
        }
    }

    @Test
    void aConfiguredEmptyParentIsUsed() throws IOException {
        Path delegated = root.resolve("iterpref");
        fs.mkdir(delegated);
        try (CgroupManager manager = open("/iterpref")) {
            assertThat(manager.available()).as(manager.description()).isTrue();
            assertThat(manager.parentDirectories()).containsExactly(delegated.resolve("iterpref-4242"));
            assertThat(Files.readString(service.resolve("cgroup.procs")).lines()).contains("4242");
        }
    }

    @Test
    void withoutDelegatedControllersV2IsUnavailableWithAReason() throws IOException {
        Files.writeString(service.resolve("cgroup.controllers"), "cpu io");
        CgroupSupport support = detect(null);
        assertThat(support.mode()).isEqualTo(Mode.UNAVAILABLE);
        assertThat(support.reason()).contains("not memory and pids").contains("v1: no memory hierarchy mounted");
        try (CgroupManager manager = CgroupManager.open(CgroupSettings.defaults(), support, fs)) {
            assertThat(manager.available()).isFalse();
            assertThat(manager.description()).startsWith("unavailable: ");
        }
    }

    @Test
    void hybridHostWithAnEmptyUnifiedMountUsesV1() throws IOException {
        Path v1 = tmp.resolve("v1");
        Path unified = v1.resolve("sys/fs/cgroup/unified");
        Files.createDirectories(unified);
        Files.writeString(unified.resolve("cgroup.controllers"), "");
        Files.writeString(unified.resolve("cgroup.procs"), "");
        Path memory = v1.resolve("sys/fs/cgroup/memory/process_api/abc");
        Path pids = v1.resolve("sys/fs/cgroup/pids");
        Files.createDirectories(memory);
        Files.createDirectories(pids);
        Files.writeString(memory.resolve("cgroup.procs"), "");
        Files.writeString(pids.resolve("cgroup.procs"), "");
        Files.writeString(v1.resolve("mountinfo"), """
                31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
                32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
                35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
                39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
                41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
                """);
        Files.writeString(v1.resolve("cgroup"), "8:pids:/\n4:memory:/process_api/abc\n2:cpu,cpuacct:/\n0::/\n");
        CgroupSupport support = CgroupSupport.detect(v1.resolve("mountinfo"), v1.resolve("cgroup"), v1, null, fs);
        assertThat(support.mode()).isEqualTo(Mode.V1);
        assertThat(support.bases()).extracting(CgroupSupport.Base::dir).containsExactly(memory, pids);
        assertThat(support.reason()).contains("v2: ").contains("not memory and pids");
    }

    @Test
    void readOnlyMountsAndMissingCgroupsAreUnavailable() throws IOException {
        Files.writeString(tmp.resolve("mountinfo"),
                "35 24 0:30 / /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw\n");
        assertThat(detect(null).reason()).contains("read-only");
        Files.writeString(tmp.resolve("mountinfo"), "35 24 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
        Files.writeString(tmp.resolve("cgroup"), "0::/nowhere\n");
        assertThat(detect(null).reason()).contains("is not a cgroup directory");
        assertThat(detect("relative").reason()).contains("absolute");
    }

    @Test
    void mountinfoParsingUnescapesAndReadsOptions() {
        List<CgroupSupport.Mount> mounts = CgroupSupport.parseMountinfo(
                "41 31 0:38 /sub /mnt/with\\040space rw,relatime shared:4 master:1 - cgroup2 cgroup2 rw,nsdelegate\n"
                        + "garbage line\n");
        assertThat(mounts).singleElement().satisfies(m -> {
            assertThat(m.root()).isEqualTo("/sub");
            assertThat(m.mountPoint()).isEqualTo("/mnt/with space");
            assertThat(m.readOnly()).isFalse();
            assertThat(m.fsType()).isEqualTo("cgroup2");
            assertThat(m.superOptions()).contains("nsdelegate");
        });
        assertThat(ExecutionCgroup.parseKeyed("oom_kill_disable 0\nunder_oom 0\noom_kill 4\n", "oom_kill")).hasValue(4);
        assertThat(ExecutionCgroup.parseKeyed("oom 1\n", "oom_kill")).isEmpty();
        assertThat(ExecutionCgroup.shellQuote("a'b")).isEqualTo("'a'\\''b'");
    }

    @Test
    void badNamesAreRefused() {
        try (CgroupManager manager = open(null)) {
            for (String bad : List.of("", "../x", "a/b", "fs-1", ".hidden", "a b")) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> manager.create(bad, 64 * MIB, 1))
                        .isInstanceOf(IllegalArgumentException.class);
            }
            ExecutionCgroup first = manager.create("dup", 64 * MIB, 1);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> manager.create("dup", 64 * MIB, 1))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(first.directories().get(0)).isDirectory();
            first.close();
            manager.create("dup", 64 * MIB, 1).close();
        }
    }

    private void assertThatNoParent() throws IOException {
        List<Path> parents = new ArrayList<>();
        try (Stream<Path> s = Files.list(service)) {
            s.filter(p -> p.getFileName().toString().startsWith("iterpref-")).forEach(parents::add);
        }
        assertThat(parents).isEmpty();
    }
}

"""IterPref test harness for Python programs.

Runs inside a sandbox (bubblewrap or Docker), never on the host, as three kinds of process:

* The **supervisor** judges. It reads the spec, runs the tests one at a time in test processes,
  compares stdin/stdout tests' output with the expected output itself, turns exit statuses,
  deadlines, output floods and out-of-memory kills into verdicts, and writes the protocol events.
  It never runs, compiles or unmarshals anything that a solution or a test produced: it reads
  only length-prefixed JSON records, the tests' captured output, and the spawner's reports. It is
  not dumpable, and nothing that runs a solution is ever forked from it once it holds a spec.
* The **spawner** never holds a spec. On the supervisor's request it forks one test process,
  handing it the descriptors the supervisor made for it (SCM_RIGHTS), reports its exit status and
  resource usage, and between tests kills and reaps whatever the tests left running.
* A **test process** reads its steps from its control socket, each a memfd payload with a random
  nonce: first the solution (it applies its limits and runs the solution's top-level code once,
  reporting "loaded"), then one test at a time (an assert or a unittest method; never another
  test's text). A stdin/stdout test gets a fresh test process of its own with that test's stdin,
  never its expected output. Only after a test's code returned does the process write a
  completion record carrying the nonce. Exiting (sys.exit, os._exit, a signal), writing garbage
  or a record without the nonce, or closing the record pipe never gives PASSED: without a valid
  completion record the supervisor judges the test from how its process ended.

Two ways to run them:

* a sandbox per execution (Docker, bubblewrap without fork servers): ``harness.py`` is the
  sandbox's pid 1 and the supervisor (no process of the sandbox can kill it); it forks the spawner
  before it reads the spec from fd 0;
* a fork server (forkserver.py): the supervisor is the server's long-lived judge, under a uid of
  its own and outside every execution's namespaces; each execution's spawner is pid 1 of the
  execution's own namespaces, forked by the server, which never holds a spec either.

Protocol events (one JSON object per line on the supervisor's stdout):

  {"event": "ready"}                              spec read
  {"event": "units", "names": [...]}             the tests it will run, in order
  {"event": "setupError", "verdict": ..., "message": ...}
  {"event": "start", "name": ...}
  {"event": "result", "name": ..., "verdict": ..., "suspicious": [...], ...}
  {"event": "done", "skipped": [...]}

The spec arrives on fd 0 from the service: a 4-byte big-endian length, then marshal bytes.
Only the standard library is used (CPython >= 3.9 on Linux).
"""

import _operator
import _signal as signal
import _socket
import errno
import marshal
import os
import resource
import select
import sys
import time

SOLUTION_FILE = "solution.py"
MAX_MESSAGE_CHARS = 4000
MAX_REPR_CHARS = 300
MAX_TRACEBACK_FRAMES = 8
MAX_RECORD_BYTES = 1 << 20
MAX_SPEC_BYTES = 1 << 30
EXIT_GRACE_S = 2.0          # after a completion record, for the test process to end by itself
PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 4, 36
# where a sandbox shows its own memory cgroup's OOM counters (the first that exists is used)
# the execution's own writable tmpfs mounts (every sandbox makes them): emptied for each fresh test process
SCRATCH_DIRS = ("/work", "/tmp", "/dev/shm")
OOM_COUNTERS = ("/run/iterpref/memcg/memory.events", "/run/iterpref/memcg/memory.oom_control",
                "/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/memory.oom_control")

# Bound at import, before any untrusted code runs in a process forked from this one.
_fork, _wait4, _kill, _killpg, _pipe, _read, _write, _close, _dup2, _exit = (
    os.fork, os.wait4, os.kill, os.killpg, os.pipe, os.read, os.write, os.close, os.dup2, os._exit)
_monotonic, _poll = time.monotonic, select.poll
_getpid = os.getpid
_len, _isinstance, _str, _int, _float = len, isinstance, str, int, float


def main(argv=None):
    """Entry point of the supervisor: {@code --seccomp} installs the system-call filter first."""
    args = sys.argv[1:] if argv is None else list(argv)
    if "--seccomp" in args:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import sandbox_seccomp
        sandbox_seccomp.install()
    Supervisor().run()


_LIBC = []  # the C library through ctypes, loaded once per process (and inherited by its forks)


def prctl(option, value):
    import ctypes
    if not _LIBC:
        _LIBC.append(ctypes.CDLL(None, use_errno=True))
    if _LIBC[0].prctl(option, ctypes.c_ulong(value), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)) != 0:
        raise OSError(ctypes.get_errno(), "prctl(%d)" % option)


def set_dumpable(flag):
    prctl(PR_SET_DUMPABLE, 1 if flag else 0)


def read_exact(fd, n):
    chunks = bytearray()
    while _len(chunks) < n:
        chunk = _read(fd, min(n - _len(chunks), 1 << 20))
        if not chunk:
            break
        chunks += chunk
    return bytes(chunks)


def read_spec(fd):
    header = read_exact(fd, 4)
    size = int.from_bytes(header, "big") if _len(header) == 4 else -1
    if size < 0 or size > MAX_SPEC_BYTES:
        sys.stderr.write("harness: no spec on stdin\n")
        return None
    body = read_exact(fd, size)
    if _len(body) != size:
        sys.stderr.write("harness: the spec ended after %d of %d bytes\n" % (_len(body), size))
        return None
    return marshal.loads(body)


# ---- supervisor ---------------------------------------------------------------------------

class Unit:
    """One test as the supervisor runs it: its name, kind and the test entry (or unittest method)."""

    def __init__(self, name, kind, test, method=None):
        self.name = name
        self.kind = kind
        self.test = test
        self.method = method


class Supervisor:
    """Judges one execution. Two ways to run it:

    * in a sandbox of its own (a sandbox per execution, Docker): {@link #run}, as the sandbox's
      pid 1, with a spawner it forks itself before reading the spec from fd 0;
    * in a fork server, as its long-lived judge: {@link #serve} per execution, with the spawner the
      server made for it (pid 1 of the execution's own namespaces, another uid, another pid
      namespace: the judge never forks, and nothing of the execution can see or signal it).
    """

    def __init__(self, write=None, local=True, pids_fd=None):
        self.write = write or (lambda data: write_all(1, data))
        self.local = local
        self.pids_fd = pids_fd  # the execution's pids.current, where a fork server has one for its judge
        self.spawner = None
        self.runner = None

    def emit(self, event):
        self.write((_dumps(event) + "\n").encode("utf-8", "replace"))

    def run(self):
        set_dumpable(False)
        # orphans come to the supervisor (it is pid 1 in a sandbox; this matters only unsandboxed),
        # so that it can still reap a test process whose spawner was killed
        prctl(PR_SET_CHILD_SUBREAPER, 1)
        self.spawner = Spawner.start()  # before the spec is read: the spawner never holds it
        spec = read_spec(0)
        if spec is None:
            _exit(2)
        devnull = os.open(os.devnull, os.O_RDWR)
        _dup2(devnull, 0)
        _close(devnull)
        self.configure(spec, OOM_COUNTERS if spec.get("ownPidNamespace") else ())
        self.emit({"event": "ready"})
        try:
            self.run_tests()
        finally:
            if not self.reap_all:  # as pid 1 its exit takes every process of the sandbox with it
                if self.runner is not None:
                    self.runner.stop()
                self.spawner.stop()
        _exit(0)  # everything is reported: skip interpreter teardown

    def serve(self, spawner, oom):
        """One execution in a fork server: its spec from fd 0, its events through {@code write}.

        False when no whole spec could be read (the service's stream is then out of step)."""
        self.spawner = spawner
        try:
            spec = read_spec(0)
            if spec is None:
                return False
            self.configure(spec, ())
            self.oom = oom
            self.reap_all = True
            self.emit({"event": "ready"})
            self.run_tests()
            return True
        finally:
            spawner.stop()  # its end of the socket closes: the execution's pid 1 exits, and with it the rest

    def configure(self, spec, oom_counters):
        self.code = spec["code"]
        self.tests = spec["tests"]
        limits = spec["limits"]
        self.limits = limits
        self.wall_s = limits["wallTimeMs"] / 1000.0
        # the execution's whole time budget: no test starts after it, none runs past it
        self.budget_end = _monotonic() + limits.get("budgetMs", 600000) / 1000.0
        self.memory_bytes = limits["memoryMb"] * 1024 * 1024
        self.max_output = limits["maxOutputBytes"]
        self.max_file_bytes = limits.get("maxFileBytes") or 64 * 1024 * 1024
        self.stop_on_first_failure = bool(spec.get("stopOnFirstFailure"))
        self.skip = set(spec.get("skip") or [])
        self.reap_all = bool(spec.get("ownPidNamespace"))
        self.limit_processes = spec.get("limitProcesses", True)
        self.path = spec.get("path") if sys.flags.no_site else None
        self.oom = OomCounter(oom_counters)
        self.loaded_once = False

    # ---- flow ---------------------------------------------------------------------------

    def run_tests(self):
        units = self.discover_units()
        if units is None:
            return
        self.emit({"event": "units", "names": [u.name for u in units]})
        todo = [u for u in units if u.name not in self.skip]
        for index, unit in enumerate(todo):
            if _monotonic() >= self.budget_end:
                self.budget_spent(todo[index:])
                return
            self.emit({"event": "start", "name": unit.name})
            outcome = self.run_unit(unit)
            if outcome.result is None and outcome.setup_error is None:
                return  # the spawner is gone: without "done", the rest runs in a fresh sandbox
            if outcome.setup_error is not None:
                self.emit({"event": "setupError", "verdict": outcome.setup_error[0],
                           "message": truncate(outcome.setup_error[1])})
                return
            self.emit(outcome.result)
            if not self.spawner.alive and self.runner is None:
                return
            if self.stop_on_first_failure and outcome.result["verdict"] != "PASSED":
                self.emit({"event": "done", "skipped": [u.name for u in todo[index + 1:]]})
                return
        self.emit({"event": "done", "skipped": []})

    def budget_spent(self, units):
        message = "Not run: the execution's time budget (%d ms) was spent." % self.limits.get("budgetMs", 0)
        for unit in units:
            self.emit({"event": "result", "name": unit.name, "verdict": "TIMEOUT", "message": message,
                       "stdout": "", "stderr": ""})
        self.emit({"event": "done", "skipped": []})

    def discover_units(self):
        units = []
        for test in self.tests:
            if test["kind"] != "unittest":
                units.append(Unit(test["name"], test["kind"], test))
                continue
            found = self.step_in_runner({"op": "discover", "unittest": test["unittest"],
                                         "filename": "test_%s.py" % safe_name(test["name"])}, None, discovery=True)
            if found.result is None and found.setup_error is None:
                return None
            if found.setup_error is not None:
                self.emit({"event": "setupError", "verdict": found.setup_error[0],
                           "message": truncate(found.setup_error[1])})
                return None
            record = found.record
            if record is None or record.get("type") != "methods":
                verdict = found.result.get("verdict", "ERROR")
                message = found.result.get("message") or "Listing the unittest methods failed."
                if record is None or record.get("type") != "loadError":
                    message = "The unittest code failed while loading:\n" + message
                self.emit({"event": "setupError", "verdict": verdict if verdict != "PASSED" else "ERROR",
                           "message": truncate(message)})
                return None
            methods = [m for m in record.get("methods", []) if _isinstance(m, _str)]
            if not methods:
                self.emit({"event": "setupError", "verdict": "ERROR",
                           "message": "The unittest code defines no unittest.TestCase with test methods."})
                return None
            units.extend(Unit(m, "unittest", test, m) for m in methods)
        return units

    def run_unit(self, unit):
        test = unit.test
        filename = "test_%s.py" % safe_name(test["name"])
        if unit.kind == "stdio":
            # a program of its own: a fresh test process, as if started from the command line
            return self.step_in_fresh_process({"op": "stdio"}, test.get("stdin"), unit.name,
                                              test.get("expectedStdout"))
        if unit.kind == "assert":
            payload = {"op": "assert", "testCode": test["code"], "filename": filename}
        else:
            payload = {"op": "unittest", "unittest": test["unittest"], "method": unit.method,
                       "filename": filename}
        return self.step_in_runner(payload, unit.name)

    # ---- test processes -----------------------------------------------------------------

    def step_in_runner(self, payload, name, discovery=False):
        """Runs one step in the loaded runner (started, and the solution loaded, when there is none)."""
        if self.runner is None:
            runner = Runner.start(self)
            if runner is None:
                return Outcome()
            load = runner.step({"op": "load"}, None, None, None, loading=True)
            if load.result is None:  # the first load failed (a setup error), or the spawner is gone
                runner.stop()
                return load
            if load.result["verdict"] != "PASSED":  # a later runner's top-level code failed
                runner.stop()
                return Outcome(result=dict(load.result, name=name))
            self.loaded_once = True
            self.runner = runner
        runner = self.runner
        outcome = runner.step(payload, None, name, None, discovery=discovery)
        if not runner.alive:
            self.runner = None
        return outcome

    def step_in_fresh_process(self, payload, stdin, name, expected):
        if self.runner is not None:  # one test process at a time: the loaded one goes first
            self.runner.stop()
            self.runner = None
        runner = Runner.start(self)
        if runner is None:
            return Outcome()
        try:
            return runner.step(payload, stdin, name, expected)
        finally:
            runner.stop()

    def settle(self, spare_runner=False):
        """Has the spawner kill every process of the sandbox but itself (and the loaded test process,
        when spared), so that the next test starts alone."""
        if self.reap_all and self.spawner.alive and self.strays_possible(spare_runner):
            self.spawner.settle(spare_runner)
        self.reap_orphans()

    def strays_possible(self, spare_runner):
        """False when the execution's pids cgroup counts no process (nor thread) but the spawner and
        the spared test process: then there is nothing to kill, and no need to ask."""
        if self.pids_fd is None:
            return True
        try:
            return int(os.pread(self.pids_fd, 64, 0)) > (2 if spare_runner else 1)
        except (OSError, ValueError):
            return True

    def reap_orphans(self):
        """A supervisor in its own sandbox reaps its spawner, and test processes whose spawner died."""
        if not self.local:
            return
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid == self.spawner.pid:
                self.spawner.alive = False
            elif self.runner is not None and pid == self.runner.pid:
                self.runner.alive = False


class Outcome:
    def __init__(self, result=None, setup_error=None, record=None):
        self.result = result
        self.setup_error = setup_error
        self.record = record


class Runner:
    """One test process, from spawn to exit, and the steps (load, tests) it is given one at a time."""

    def __init__(self, supervisor, pid, control, record_r):
        self.s = supervisor
        self.pid = pid
        self.control = control
        self.record_r = record_r
        self.records = bytearray()
        self.alive = True
        self.status = None
        self.usage = None
        self.spawner_died = False

    @classmethod
    def start(cls, s):
        ours, theirs = _socket.socketpair(_socket.AF_UNIX, _socket.SOCK_SEQPACKET)
        record_r, record_w = _pipe()
        try:
            pid = s.spawner.spawn([theirs.fileno(), record_w])
        finally:
            theirs.close()
            _close(record_w)
        if pid is None:
            ours.close()
            _close(record_r)
            return None
        return cls(s, pid, ours, record_r)

    def stop(self):
        """Ends the process (the control socket closes: it exits; or it is killed) and reaps it."""
        if self.alive:
            self.kill()
        self.close_fds()

    def close_fds(self):
        for closer in (self.control.close, lambda: _close(self.record_r)):
            try:
                closer()
            except OSError:
                pass

    def kill(self):
        """Kills the process and whatever it started, and reaps it."""
        if self.s.reap_all and not self.spawner_died and self.s.spawner.alive:
            self.s.spawner.settle(spare_runner=False)  # its sandbox's every other process too
        elif self.s.local:
            for killer in (_killpg, _kill):
                try:
                    killer(self.pid, signal.SIGKILL)
                except OSError:
                    pass
        self.wait_exit()

    def wait_exit(self):
        if not self.spawner_died:
            report = self.s.spawner.exit_report(timeout=5.0)
            if report is not None:
                self.status, self.usage = report
                self.alive = False
                return
            self.spawner_died = True
            self.s.spawner.alive = False
        self.reap_directly(block=True)

    def reap_directly(self, block):
        """Without a spawner: a supervisor in its own sandbox reaps the orphan itself; in a fork server
        the spawner was the execution's pid 1, and every process of the execution died with it."""
        if not self.s.local:
            self.status, self.alive = signal.SIGKILL, False  # a wait status: killed by SIGKILL
            return
        try:
            pid, status, usage = _wait4(self.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            self.alive = False
            return
        if pid == self.pid:
            self.status = status
            self.usage = (int((usage.ru_utime + usage.ru_stime) * 1000), int(usage.ru_maxrss))
            self.alive = False

    def step(self, payload, stdin, name, expected, loading=False, discovery=False):
        """Sends one step to the process, watches it and judges it."""
        step = Step(self, payload, stdin, name, expected, loading, discovery)
        try:
            step.execute()
        finally:
            step.cleanup()
        if self.spawner_died and not self.s.local and step.record is None:
            # in a fork server the spawner is the execution's pid 1: it is gone only when the server
            # killed the execution at its deadline (or it crashed); the service judges what was running
            return Outcome()
        return step.finish()



class Step:
    """One payload given to a runner (loading the solution, or one test), watched to its end."""

    def __init__(self, runner, payload, stdin, name, expected, loading, discovery):
        self.runner = runner
        self.s = runner.s
        self.nonce = os.urandom(16).hex()
        s = self.s
        self.payload = dict(payload, nonce=self.nonce)
        if loading or payload["op"] == "stdio":  # a process's first step: what it sets itself up with
            self.payload.update(code=s.code, limits=s.limits, path=s.path, limitProcesses=s.limit_processes)
        self.stdin = stdin
        self.name = name
        self.expected = expected
        self.loading = loading
        self.discovery = discovery
        self.record = None
        self.forged = None
        self.timed_out = False
        self.overflow = None
        self.out, self.err = bytearray(), bytearray()
        self.closed = set()
        self.parent_fds = []
        self.started = _monotonic()
        self.oom_before = s.oom.read()
        self.usage = None

    def execute(self):
        payload_fd = os.memfd_create("payload", 0)
        write_all(payload_fd, marshal.dumps(self.payload))
        os.lseek(payload_fd, 0, os.SEEK_SET)
        stdin_fd = os.memfd_create("stdin", 0) if self.stdin else os.open(os.devnull, os.O_RDONLY)
        if self.stdin:
            write_all(stdin_fd, self.stdin.encode("utf-8"))
            os.lseek(stdin_fd, 0, os.SEEK_SET)
        if self.loading:  # what the top-level code prints goes nowhere
            out_r = err_r = None
            out_w = os.open(os.devnull, os.O_WRONLY)
            err_w = os.open(os.devnull, os.O_WRONLY)
        else:
            out_r, out_w = _pipe()
            err_r, err_w = _pipe()
            self.parent_fds = [out_r, err_r]
        child_fds = [payload_fd, out_w, err_w, stdin_fd]
        ancillary = [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS,
                      b"".join(fd.to_bytes(4, sys.byteorder) for fd in child_fds))]
        try:
            self.runner.control.sendmsg([b"T"], ancillary)
        except OSError:
            pass  # the process is gone: its exit report tells how
        finally:
            for fd in child_fds:
                _close(fd)
        self.watch(out_r, err_r)

    def watch(self, out_r, err_r):
        s, runner = self.s, self.runner
        poller = _poll()
        record_r = runner.record_r
        poller.register(record_r, select.POLLIN | select.POLLHUP | select.POLLERR)
        streams = {}
        for fd, buf in ((out_r, self.out), (err_r, self.err)):
            if fd is not None:
                poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
                streams[fd] = buf
        spawner_fd = s.spawner.sock.fileno()
        if not runner.spawner_died:
            poller.register(spawner_fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        deadline = min(self.started + s.wall_s, s.budget_end)
        while runner.alive and self.record is None and not (self.forged or self.overflow):
            now = _monotonic()
            if now >= deadline:
                self.timed_out = True
                break
            wait_ms = max(1, int((deadline - now) * 1000) + 1)
            ready = dict(poller.poll(min(wait_ms, 20) if runner.spawner_died else wait_ms))
            for fd in list(streams):
                if fd in ready:
                    self.read_stream(fd, streams[fd], poller)
            if record_r in ready:
                self.read_records(poller)
            if self.record is None and spawner_fd in ready and not runner.spawner_died:
                report = s.spawner.exit_report()
                if report is None:
                    runner.spawner_died = True
                    s.spawner.alive = False
                    poller.unregister(spawner_fd)
                    s.reap_orphans()
                else:
                    runner.status, runner.usage = report
                    runner.alive = False
            if runner.spawner_died and runner.alive:
                runner.reap_directly(block=False)
        if self.record is not None and not (self.forged or self.overflow):
            # the process wrote its record after closing its output: read what is left
            self.usage = usage_in(self.record)
            s.settle(spare_runner=runner.alive)
        else:
            if runner.alive:
                runner.kill()
            s.settle()
            if self.record is None and not self.forged:
                self.drain_records(poller)
        self.drain(poller, streams)

    def drain_records(self, poller):
        """Records written just before the process ended (every writer is gone by now)."""
        deadline = _monotonic() + 0.2
        while self.record is None and not self.forged and _monotonic() < deadline:
            if select.select([self.runner.record_r], [], [], 0.02)[0] and not self.read_records(poller):
                return

    def read_records(self, poller):
        """Reads length-prefixed JSON records (a forged or corrupted one sets self.forged); False at EOF."""
        runner = self.runner
        chunk = _read(runner.record_r, 65536)
        if not chunk:
            try:
                poller.unregister(runner.record_r)
            except KeyError:
                pass
            return False
        runner.records += chunk
        while _len(runner.records) >= 4 and not self.forged:
            size = int.from_bytes(runner.records[:4], "big")
            if size > MAX_RECORD_BYTES:
                self.forged = "an oversized record"
                break
            if _len(runner.records) < 4 + size:
                break
            raw = bytes(runner.records[4:4 + size])
            del runner.records[:4 + size]
            record = parse_record(raw)
            if not _isinstance(record, dict):
                self.forged = "an unreadable record"
            elif record.get("nonce") != self.nonce:
                self.forged = "a record without the harness's nonce"
            elif self.record is None:
                self.record = record
            else:
                self.forged = "more records than a test process writes"
        return True

    def read_stream(self, fd, buf, poller):
        chunk = _read(fd, 65536)
        if not chunk:
            poller.unregister(fd)
            self.closed.add(fd)
            return
        if _len(buf) <= self.s.max_output:
            buf.extend(chunk)
        if _len(buf) > self.s.max_output:
            self.overflow = "stdout" if buf is self.out else "stderr"

    def drain(self, poller, streams):
        """Reads what the test left in its pipes (every writer is gone or killed by now)."""
        deadline = _monotonic() + 0.2
        open_fds = set(streams) - self.closed
        while open_fds and _monotonic() < deadline:
            for fd, _ in poller.poll(20):
                if fd in open_fds:
                    chunk = _read(fd, 65536)
                    if not chunk:
                        poller.unregister(fd)
                        open_fds.discard(fd)
                    elif _len(streams[fd]) <= self.s.max_output:
                        streams[fd].extend(chunk)

    def cleanup(self):
        for fd in self.parent_fds:
            try:
                _close(fd)
            except OSError:
                pass
        self.s.reap_orphans()

    # ---- verdict ------------------------------------------------------------------------

    def finish(self):
        s, runner = self.s, self.runner
        oom_kills = s.oom.delta(self.oom_before)
        result = {"event": "result", "name": self.name, "timeMs": int((_monotonic() - self.started) * 1000),
                  "stdout": decode_capped(self.out, s.max_output), "stderr": decode_capped(self.err, s.max_output)}
        usage = self.usage if self.usage is not None else runner.usage
        if usage is not None:
            if usage[0] is not None:
                result["cpuTimeMs"] = usage[0]
            if usage[1] is not None:
                result["peakMemoryKb"] = usage[1]
        suspicious = []
        record = self.record
        if record is not None and _isinstance(record.get("suspicious"), list):
            suspicious = [truncate(_str(x), 300) for x in record["suspicious"][:10]]
        if self.forged:
            suspicious.append("wrote %s on the harness's record pipe" % self.forged)
        verdict, message, exit_code = self.judge(record, oom_kills)
        if self.loading:
            if verdict != "PASSED" and not s.loaded_once:
                load = self.load_failure(record, verdict, message)
                if load is not None:
                    return Outcome(setup_error=load, record=record)
        if self.discovery and verdict != "PASSED" and (record is None or record.get("type") != "methods"):
            load = self.load_failure(record, verdict, message)
            if load is not None and (record is None or record.get("type") != "loadError"):
                return Outcome(setup_error=load, record=record)
        if suspicious:
            result["suspicious"] = suspicious
        if not _isinstance(message, _str) and message is not None:
            message = _str(message)
        result.update(verdict=verdict, message=message and truncate(message),
                      exitCode=exit_code if _isinstance(exit_code, _int) else None)
        return Outcome(result=result, record=record)

    def load_failure(self, record, verdict, message):
        """A failure before the solution finished loading, reported once for every test."""
        if record is not None and record.get("type") == "loadError":
            return record.get("verdict", "ERROR"), record.get("message") or "The code failed while loading."
        if self.forged:
            return None
        if self.timed_out:
            return "TIMEOUT", "Time limit exceeded (%.1f s) while loading the code." % self.s.wall_s
        return verdict, "The code failed while loading: " + (message or verdict)

    def judge(self, record, oom_kills):
        s, runner = self.s, self.runner
        exit_code, signal_number = exit_code_of(runner.status) if record is None else (None, None)
        if oom_kills:
            return ("MEMORY_LIMIT", "Memory limit exceeded (%d MB): the kernel killed %d process%s of this test."
                    % (s.memory_bytes >> 20, oom_kills, "" if oom_kills == 1 else "es"), exit_code)
        if self.forged:
            return "ERROR", "The test process wrote %s on the harness's record pipe." % self.forged, exit_code
        if self.overflow:
            return "OUTPUT_LIMIT", "Output limit exceeded: more than %d bytes on %s." % (
                s.max_output, self.overflow), exit_code
        if record is not None:
            kind = record.get("type")
            verdict = record.get("verdict", "ERROR")
            message = record.get("message")
            if kind == "outcome" and _isinstance(record.get("exitCode"), _int):
                exit_code = record["exitCode"]
            if kind == "outcome" and self.payload["op"] == "stdio" and verdict == "PASSED":
                verdict, message = compare_output(self.expected or "", decode_capped(self.out, s.max_output))
            if kind in ("loaded", "methods"):
                verdict = "PASSED"
            if verdict not in VERDICTS:
                return "ERROR", "The test process reported an unknown verdict.", exit_code
            return verdict, message, exit_code
        if self.timed_out:
            return "TIMEOUT", "Time limit exceeded (%.1f s)." % s.wall_s, exit_code
        if signal_number == signal.SIGXCPU:
            return "TIMEOUT", "CPU time limit exceeded (%.1f s)." % s.wall_s, exit_code
        if signal_number == signal.SIGXFSZ:
            return "OUTPUT_LIMIT", "File size limit exceeded (%d bytes)." % s.max_file_bytes, exit_code
        if signal_number is not None:
            return "ERROR", "The test process was killed by signal %d (%s)." % (
                signal_number, signal_name(signal_number)), exit_code
        return "ERROR", ("The test process exited with code %s before the test finished (exit() or os._exit() "
                         "inside the code under test never counts as passing)." % exit_code), exit_code


def usage_in(record):
    """(CPU ms, peak kB) as the test process reported them: informational, never part of a verdict."""
    cpu, peak = record.get("cpuMs"), record.get("peakKb")
    if _isinstance(cpu, _int) and _isinstance(peak, _int) and cpu >= 0 and peak >= 0:
        return cpu, peak
    return None


def exit_code_of(status):
    if status is None:
        return None, None
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        return -number, number
    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status), None
    return None, None


VERDICTS = ("PASSED", "FAILED", "ERROR", "TIMEOUT", "MEMORY_LIMIT", "OUTPUT_LIMIT")


def parse_record(raw):
    import json
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


def write_all(fd, data):
    view = memoryview(data)
    while _len(view):
        view = view[_write(fd, view):]


class OomCounter:
    """The sandbox's own memory cgroup's count of OOM kills, where the sandbox shows it: the first of
    these paths that exists, or a descriptor of the counters' file (a fork server opens it for its
    judge, which cannot see the cgroup's directory)."""

    def __init__(self, paths=(), fd=None):
        self.fd = fd
        self.path = None if fd is not None else next((p for p in paths if os.path.exists(p)), None)

    def read(self):
        try:
            if self.fd is not None:
                raw = os.pread(self.fd, 4096, 0)
            elif self.path is not None:
                with open(self.path, "rb") as f:
                    raw = f.read(4096)
            else:
                return None
        except OSError:
            return None
        for line in raw.decode("ascii", "replace").splitlines():
            parts = line.split()
            if _len(parts) == 2 and parts[0] == "oom_kill":
                return int(parts[1])
        return None

    def delta(self, before):
        if before is None:
            return 0
        after = self.read()
        return max(0, after - before) if after is not None else 0


# ---- spawner ------------------------------------------------------------------------------

FD_COUNT = 2   # the runner's control socket, its record pipe
SETTLE_S = 2.0  # how long a spawner keeps killing what a test left running before it answers


class Spawner:
    """The supervisor's side of the spawner (see the module docstring).

    Messages on the SEQPACKET socket: the supervisor sends "S" (with the new test process's
    descriptors) and "Q" + "1"/"0" (kill every other process of the sandbox, sparing the test
    process or not); the spawner answers "P" + pid and "q", and sends "X" + wait status + CPU ms
    + peak kB whenever its test process has ended.
    """

    def __init__(self, pid, sock):
        self.pid = pid  # None when the spawner is not this process's child (a fork server made it)
        self.sock = sock
        self.alive = True
        self.exits = []

    @classmethod
    def start(cls):
        ours, theirs = _socket.socketpair(_socket.AF_UNIX, _socket.SOCK_SEQPACKET)
        pid = _fork()
        if pid == 0:
            try:
                ours.close()
                devnull = os.open(os.devnull, os.O_RDWR)
                _dup2(devnull, 0)
                _dup2(devnull, 1)
                _close(devnull)
                prctl(PR_SET_CHILD_SUBREAPER, 1)  # what a test leaves behind is the spawner's to kill and reap
                serve_spawns(theirs)
            finally:
                _exit(0)
        theirs.close()
        return cls(pid, ours)

    def spawn(self, fds):
        """Has the spawner fork a test process with these descriptors; its pid, or None if the spawner is gone."""
        if not self.alive:
            return None
        ancillary = [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, b"".join(fd.to_bytes(4, sys.byteorder) for fd in fds))]
        try:
            self.sock.sendmsg([b"S"], ancillary)
        except OSError:
            self.alive = False
            return None
        reply = self.reply(b"P", 5.0)
        if reply is None or _len(reply) != 5:
            self.alive = False
            return None
        return int.from_bytes(reply[1:], "big")

    def settle(self, spare_runner):
        """Has the spawner kill and reap every process but itself and (when spared) the test process."""
        try:
            self.sock.send(b"Q1" if spare_runner else b"Q0")
        except OSError:
            self.alive = False
            return
        if self.reply(b"q", SETTLE_S + 5.0) is None:
            self.alive = False

    def exit_report(self, timeout=None):
        """(wait status, (cpu ms, peak kB)) of the last test process, or None if the spawner is gone."""
        if not self.exits:
            reply = self.reply(b"X", timeout)
            if reply is None:
                return None
        reply = self.exits.pop(0)
        status = int.from_bytes(reply[1:5], "big", signed=True)
        cpu_ms = int.from_bytes(reply[5:13], "big")
        peak_kb = int.from_bytes(reply[13:21], "big")
        return status, (cpu_ms, peak_kb)

    def reply(self, kind, timeout):
        """The next message of this kind (exit reports that come first are kept); None when the
        spawner is gone, sent something else, or did not answer in time."""
        end = None if timeout is None else _monotonic() + timeout
        while self.alive:
            if end is not None:
                ready, _, _ = select.select([self.sock], [], [], max(0.0, end - _monotonic()))
                if not ready:
                    return None
            try:
                data = self.sock.recv(64)
            except OSError:
                data = b""
            if not data:
                self.alive = False
                return None
            if data[:1] == b"X" and _len(data) == 21:
                self.exits.append(data)
                if kind == b"X":
                    return data
            elif data[:1] == kind:
                return data
            else:
                self.alive = False
        return None

    def stop(self):
        try:
            self.sock.close()
        except OSError:
            pass
        if self.alive and self.pid is not None:
            try:
                _kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
            try:
                _wait4(self.pid, 0)
            except OSError:
                pass
        self.alive = False


def serve_spawns(sock):
    """The spawner's loop: forks a test process on request, reports its end, and kills and reaps
    what the tests leave behind (it is their subreaper, or the sandbox's pid 1)."""
    import gc
    gc.freeze()  # a forked test process then copies no page for the collector's bookkeeping
    # no KeyboardInterrupt: as a sandbox's pid 1 (fork servers) it then ignores every signal its tests send
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    keep = ancestors()
    # strays are killed only in a sandbox's own pid namespace, whose pid 1 is this spawner (fork
    # servers) or the supervisor that forked it: anywhere else they could be anyone's processes
    own_namespace = _getpid() == 1 or os.getppid() == 1
    poller = _poll()
    poller.register(sock.fileno(), select.POLLIN | select.POLLHUP | select.POLLERR)
    child = None
    child_fd = None
    spawned = False
    while True:
        events = poller.poll(None if child_fd is not None or child is None else 20)
        if child is not None and (child_fd is None or any(fd == child_fd for fd, _ in events)):
            if reap(sock, child):
                child = None
                if child_fd is not None:
                    poller.unregister(child_fd)
                    _close(child_fd)
                    child_fd = None
        if not any(fd == sock.fileno() for fd, _ in events):
            continue
        try:
            message, ancillary, _, _ = sock.recvmsg(16, _socket.CMSG_SPACE(FD_COUNT * 4))
        except OSError:
            return
        fds = fds_in(ancillary)
        if not message:
            return
        if message == b"S" and _len(fds) == FD_COUNT and child is None:
            if spawned and own_namespace:
                empty_scratch()
            spawned = True
            pid = _fork()
            if pid == 0:
                try:
                    sock.close()
                    if child_fd is not None:
                        _close(child_fd)
                    TestProcess(*fds).run()
                finally:
                    _exit(121)
            for fd in fds:
                _close(fd)
            child = pid
            try:
                child_fd = os.pidfd_open(pid)
                poller.register(child_fd, select.POLLIN)
            except (AttributeError, OSError):
                child_fd = None  # without pidfds: poll for its end
            sock.send(b"P" + pid.to_bytes(4, "big"))
        elif message in (b"Q0", b"Q1"):
            for fd in fds:
                _close(fd)
            spare = child if message == b"Q1" else None
            if spare is None and child is not None and not own_namespace:
                for killer in (_killpg, _kill):  # only the test process and its process group
                    try:
                        killer(child, signal.SIGKILL)
                    except OSError:
                        pass
                _, status, usage = _wait4(child, 0)
                report_exit(sock, status, usage)
                child = None
            give_up = _monotonic() + SETTLE_S
            killed = set()
            while True:
                if reap(sock, child):
                    child = None
                if child is None and child_fd is not None:
                    poller.unregister(child_fd)
                    _close(child_fd)
                    child_fd = None
                if not own_namespace or not kill_strays(keep, spare, killed) or _monotonic() >= give_up:
                    break
                time.sleep(0.002)
            sock.send(b"q")
        else:
            for fd in fds:
                _close(fd)
            return


def empty_scratch():
    """Empties the sandbox's scratch tmpfs mounts before a fresh test process starts.

    A fresh test process loads the solution as a new execution would: files an earlier test
    process wrote (it may have died of the memory limit after filling them) are not there, and
    their pages no longer count against the memory of the tests that follow. Only mounts this
    sandbox made (tmpfs at exactly those paths) are touched, never a directory of the host."""
    for path in scratch_mounts():
        try:
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            empty_directory(fd)
        finally:
            _close(fd)


def scratch_mounts():
    found = []
    try:
        with open("/proc/self/mountinfo", "rb") as f:
            for line in f:
                fields = line.split()
                # mount point is field 5; the filesystem type follows the " - " separator
                sep = fields.index(b"-") if b"-" in fields else -1
                if sep > 4 and _len(fields) > sep + 1 and fields[sep + 1] == b"tmpfs":
                    point = fields[4].decode("utf-8", "replace")
                    if point in SCRATCH_DIRS and point not in found:
                        found.append(point)
    except OSError:
        return []
    return found


def empty_directory(top):
    """Removes everything under the open directory {@code top} without following symbolic links;
    iterative, so that no nesting depth can overflow the stack. What cannot be removed stays."""
    stack = [(top, False)]
    try:
        while stack:
            fd, entered = stack[-1]
            if entered:  # its subdirectories are empty now: remove them
                stack.pop()
                for name in os.listdir(fd):
                    try:
                        os.rmdir(name, dir_fd=fd)
                    except OSError:
                        pass
                if fd != top:
                    _close(fd)
                continue
            stack[-1] = (fd, True)
            for entry in os.scandir(fd):
                try:
                    if not entry.is_dir(follow_symlinks=False):
                        os.unlink(entry.name, dir_fd=fd)
                        continue
                    try:
                        os.chmod(entry.name, 0o700, dir_fd=fd, follow_symlinks=True)
                    except OSError:
                        pass
                    stack.append((os.open(entry.name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd),
                                  False))
                except OSError:
                    pass
    finally:
        for fd, _ in stack:
            if fd != top:
                _close(fd)


def reap(sock, child):
    """Reaps every process that ended; True when the test process was one of them (its report is sent)."""
    ended = False
    while True:
        try:
            pid, status, usage = _wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return ended
        if pid == 0:
            return ended
        if pid == child:
            report_exit(sock, status, usage)
            ended = True


def report_exit(sock, status, usage):
    cpu_ms = int((usage.ru_utime + usage.ru_stime) * 1000)
    sock.send(b"X" + status.to_bytes(4, "big", signed=True) + cpu_ms.to_bytes(8, "big")
              + int(usage.ru_maxrss).to_bytes(8, "big"))


def ancestors():
    """This process and its ancestors: a spawner never kills the supervisor above it."""
    found = {0, 1, _getpid()}
    pid = _getpid()
    while pid > 1:
        fields = proc_stat(pid)
        if fields is None:
            break
        pid = int(fields[1])
        found.add(pid)
    return found


def kill_strays(keep, spare, killed):
    """Kills every process this one can see but those kept and {@code spare}; how many are left.

    A process killed before that is now a zombie of the spared test process (its parent, which
    reaps it or not) no longer counts."""
    left = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            pid = int(entry)
            if pid in keep or pid == spare or (pid in killed and zombie(pid)):
                continue
            left += 1
            killed.add(pid)
            try:
                _kill(pid, signal.SIGKILL)
            except OSError:
                pass
    return left


def zombie(pid):
    fields = proc_stat(pid)
    return fields is None or fields[0] == b"Z"  # gone, or a zombie


def proc_stat(pid):
    """The fields of /proc/PID/stat after the command name (state, ppid, ...); None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields if _len(fields) > 1 else None


def fds_in(ancillary):
    fds = []
    for level, kind, data in ancillary:
        if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
            fds.extend(int.from_bytes(data[i:i + 4], sys.byteorder) for i in range(0, _len(data) - 3, 4))
    return fds


def receive_fds(sock, count):
    """The descriptors of the next message on a SEQPACKET socket; None when it closed or sent a wrong count."""
    try:
        message, ancillary, _, _ = sock.recvmsg(16, _socket.CMSG_SPACE(count * 4))
    except OSError:
        return None
    fds = fds_in(ancillary)
    if not message or _len(fds) != count:
        for fd in fds:
            _close(fd)
        return None
    return fds


# ---- test process -------------------------------------------------------------------------

class TestProcess:
    """A test process: trusted set-up, then the steps the supervisor sends, one at a time.

    The first step loads the solution (or, for a stdin/stdout test, is that test); each later
    step is one test, run in the loaded namespace, as one Python program would run them. A step
    arrives as a memfd payload with the step's nonce and its own stdin, stdout and stderr.
    """

    def __init__(self, control_fd, record_fd):
        self.control = _socket.socket(fileno=control_fd)
        self.record_fd = record_fd
        self.pid = _getpid()
        self.nonce = None
        self.payload = None
        self.sources = {}
        self.namespace = None
        self.loaded_files = set()
        self.suspicions = []
        self.patched = set()  # harness functions whose code or defaults the code replaced
        self.limits = None

    def run(self):
        os.setsid()
        try:
            set_dumpable(True)  # its own /proc entries stay its own (the spawner is not dumpable)
        except OSError:
            pass
        try:
            with open("/proc/self/oom_score_adj", "w") as f:
                f.write("1000")  # the kernel's first choice when the sandbox runs out of memory
        except OSError:
            pass
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        audit_installed = False
        while True:
            fds = receive_fds(self.control, 4)
            if fds is None:
                _exit(0)
            payload_fd, out_fd, err_fd, stdin_fd = fds
            _dup2(stdin_fd, 0)
            _dup2(out_fd, 1)
            _dup2(err_fd, 2)
            for fd in (stdin_fd, out_fd, err_fd):
                _close(fd)
            with os.fdopen(payload_fd, "rb") as f:
                self.payload = p = marshal.loads(f.read())
            self.nonce = p["nonce"]
            if self.limits is None:
                self.limits = p["limits"]
                self.apply_limits(p["limits"], p.get("limitProcesses", True))
                if p.get("path"):
                    sys.path[:] = p["path"]
            if not audit_installed:
                sys.addaudithook(self.audit)
                audit_installed = True
            self.step_limits()
            outcome = self.run_step(p)
            self.finish_output()
            outcome.update(self.step_usage())
            outcome.setdefault("type", "outcome")
            if self.suspicions:
                outcome["suspicious"] = list(self.suspicions)
            self.record(outcome)

    def run_step(self, p):
        op = p["op"]
        if op == "load":
            self.builtins_before = dict(vars(builtins_module()))
            self.builtin_names = tuple(name for name in self.builtins_before if name != "_")
            self.builtin_values = tuple(map(self.builtins_before.get, self.builtin_names))
            return self.load()
        if op == "stdio":
            return self.run_stdio()
        if op == "discover":
            outcome = self.discover()
        elif op == "assert":
            outcome = self.run_assert()
        else:
            outcome = self.run_unittest()
        self.check_tampering()
        tampered = self.harness_tampering()
        if tampered:
            self.suspect("patches the test harness's own code: %s" % ", ".join(tampered[:8]))
            outcome = {"type": outcome.get("type", "outcome"), "verdict": "ERROR",
                       "message": "The code patched the test harness's own code (%s): its tests cannot be judged."
                       % ", ".join(tampered[:8])}
        return outcome

    def apply_limits(self, limits, limit_processes):
        set_limit(resource.RLIMIT_CORE, 0)
        if limit_processes:
            set_limit(resource.RLIMIT_NPROC, limits["maxProcesses"] + 2)  # + supervisor and spawner
        set_limit(resource.RLIMIT_FSIZE, limits.get("maxFileBytes") or 64 * 1024 * 1024)
        set_limit(resource.RLIMIT_AS, limits["memoryMb"] * 1024 * 1024)

    def step_limits(self):
        """Each step gets the wall time in CPU seconds; the supervisor's wall deadline (SIGKILL, from
        outside this process) bounds it whatever this process does with its limits."""
        wall = self.limits["wallTimeMs"] / 1000.0
        usage = resource.getrusage(resource.RUSAGE_SELF)
        used = usage.ru_utime + usage.ru_stime
        soft = int(used + wall) + 1
        try:
            resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 2))
        except (ValueError, OSError):
            pass
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")  # resets the peak resident set: peakMemoryKb is this step's own
        except OSError:
            pass
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.usage_before = (used + children.ru_utime + children.ru_stime, children.ru_maxrss)

    def step_usage(self):
        """This step's CPU time (its children's included) and peak resident set, for the result."""
        me = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime - self.usage_before[0]
        peak = me.ru_maxrss
        if children.ru_maxrss > self.usage_before[1]:
            peak = max(peak, children.ru_maxrss)
        return {"cpuMs": int(cpu * 1000), "peakKb": int(peak)}

    def record(self, record):
        if _getpid() != self.pid:
            _exit(0)  # a process the test forked returned into the harness: only the test process reports
        record["nonce"] = self.nonce
        data = _dumps(record).encode("utf-8", "replace")
        write_all(self.record_fd, _len(data).to_bytes(4, "big") + data)

    def audit(self, event, args):
        if event in ("sys.settrace", "sys.setprofile"):
            self.suspect("installs a trace or profile function (%s)" % event)
        elif event in ("gc.get_objects", "gc.get_referrers", "gc.get_referents"):
            self.suspect("scans the interpreter's objects (%s)" % event)
        elif event == "open" and args and isinstance(args[0], str) and args[0].startswith("/proc/") and (
                args[0].endswith("/mem") or "/fd/" in args[0]):
            self.suspect("opens %s" % args[0])
        elif event == "object.__setattr__" and args:
            name = HARNESS_FINGERPRINT.function_ids.get(id(args[0]))
            if name is not None:  # a harness function's __code__, __defaults__ or __kwdefaults__
                self.patched.add(name)

    def suspect(self, reason):
        if reason not in self.suspicions and _len(self.suspicions) < 10:
            self.suspicions.append(reason)

    def finish_output(self):
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            try:
                stream.flush()
            except BaseException:  # noqa: B902
                pass
        devnull = os.open(os.devnull, os.O_RDWR)
        _dup2(devnull, 0)
        _dup2(devnull, 1)  # closes this step's output pipes: the supervisor sees their end
        _dup2(devnull, 2)
        _close(devnull)

    # ---- the solution ---------------------------------------------------------------------

    def load(self):
        code = self.payload["code"]
        self.sources[SOLUTION_FILE] = code
        try:
            compiled = compile(code, SOLUTION_FILE, "exec")
        except (SyntaxError, ValueError) as e:
            return self.load_error("ERROR", "The code does not compile:\n" + format_exception_only(e))
        except MemoryError:
            return self.load_error("MEMORY_LIMIT", "MemoryError while compiling the code.")
        self.namespace = {"__name__": "solution", "__builtins__": __builtins__}
        try:
            exec(compiled, self.namespace)
            return {"type": "loaded"}
        except MemoryError:
            return self.load_error("MEMORY_LIMIT", "MemoryError: memory limit exceeded (%d MB) while loading the "
                                   "code." % (self.limits["memoryMb"]))
        except SystemExit as e:
            return self.load_error("ERROR", "SystemExit(%r) raised while loading the code." % (e.code,))
        except BaseException as e:  # noqa: B902 -- any failure of untrusted code is a verdict
            return self.load_error("ERROR", "The code failed while loading:\n"
                                   + format_user_exception(e, self.sources))

    @staticmethod
    def load_error(verdict, message):
        return {"type": "loadError", "verdict": verdict, "message": truncate(message)}

    def harness_tampering(self):
        """Names of the harness's own functions or classes the code replaced or changed, in this process."""
        return sorted(set(harness_changes()) | self.patched)

    def check_tampering(self):
        """Flags what in-process tests cannot defend against (see the README's known limits)."""
        if self.namespace is not None and "AssertionError" in self.namespace:
            self.suspect("defines its own AssertionError")
        now = vars(builtins_module())
        if _len(now) != _len(self.builtins_before) or not _identical(
                tuple(map(now.get, self.builtin_names)), self.builtin_values):
            changed = sorted(name for name in set(now) | set(self.builtins_before)
                             if name != "_" and now.get(name, self) is not self.builtins_before.get(name, self))
            if changed:
                self.suspect("redefines builtins: %s" % ", ".join(changed[:8]))
        case = sys.modules.get("unittest.case")
        if case is not None:
            patched = sorted(name for name, value in vars(case.TestCase).items()
                             if type(value).__name__ == "function" and value.__module__ != "unittest.case")
            if patched:
                self.suspect("patches unittest.TestCase methods: %s" % ", ".join(patched[:8]))

    # ---- the tests ------------------------------------------------------------------------

    def run_assert(self):
        filename = self.payload["filename"]
        source = self.payload["testCode"]
        self.sources[filename] = source
        try:
            code = compile(source, filename, "exec")
        except (SyntaxError, ValueError) as e:
            return {"verdict": "ERROR", "message": "The test does not compile:\n" + format_exception_only(e)}
        try:
            exec(code, self.namespace)
        except AssertionError as e:
            return {"verdict": "FAILED", "message": explain_assertion(e, self.sources)}
        except SystemExit as e:
            return {"verdict": "ERROR",
                    "message": "SystemExit(%r) raised: the program exited before the test finished." % (e.code,)}
        except BaseException as e:  # noqa: B902
            return verdict_for_exception(e, self.sources)
        return {"verdict": "PASSED"}

    def run_stdio(self):
        code = self.payload["code"]
        self.sources[SOLUTION_FILE] = code
        try:
            compiled = compile(code, SOLUTION_FILE, "exec")
        except (SyntaxError, ValueError) as e:
            return {"verdict": "ERROR", "exitCode": 1, "message": "The code does not compile:\n"
                    + format_exception_only(e)}
        namespace = {"__name__": "__main__", "__builtins__": __builtins__}
        try:
            exec(compiled, namespace)
        except SystemExit as e:
            code = e.code
            if code is None or code == 0:
                return {"verdict": "PASSED", "exitCode": 0}
            if not isinstance(code, int):
                sys.stderr.write(str(code) + "\n")
                code = 1
            return {"verdict": "ERROR", "exitCode": code, "message": "The program exited with code %d." % code}
        except BaseException as e:  # noqa: B902
            outcome = verdict_for_exception(e, self.sources)
            sys.stderr.write(outcome["message"] + "\n")
            outcome["exitCode"] = 1
            return outcome
        return {"verdict": "PASSED", "exitCode": 0}

    def exec_unittest_source(self):
        filename = self.payload["filename"]
        if filename in self.loaded_files:
            return None  # this process already loaded it (its methods were listed here)
        self.loaded_files.add(filename)
        source = self.payload["unittest"]
        self.sources[filename] = source
        try:
            compiled = compile(source, filename, "exec")
        except (SyntaxError, ValueError) as e:
            return "The unittest code does not compile:\n" + format_exception_only(e)
        try:
            exec(compiled, self.namespace)
        except MemoryError:
            return "MemoryError while loading the unittest code."
        except SystemExit as e:
            return "SystemExit(%r) raised while loading the unittest code." % (e.code,)
        except BaseException as e:  # noqa: B902
            return "The unittest code failed while loading:\n" + format_user_exception(e, self.sources)
        return None

    def discover(self):
        import unittest
        before = set(id(v) for v in self.namespace.values())
        failure = self.exec_unittest_source()
        if failure is not None:
            return {"type": "loadError", "verdict": "ERROR", "message": truncate(failure)}
        loader = unittest.TestLoader()
        methods = []
        for value in list(self.namespace.values()):
            if isinstance(value, type) and issubclass(value, unittest.TestCase) and id(value) not in before:
                for method in loader.getTestCaseNames(value):
                    methods.append("%s.%s" % (value.__name__, method))
        return {"type": "methods", "methods": methods}

    def run_unittest(self):
        import unittest
        failure = self.exec_unittest_source()
        if failure is not None:
            return {"verdict": "ERROR", "message": failure}
        register_sources(self.sources)
        class_name, _, method = self.payload["method"].partition(".")
        case = self.namespace.get(class_name)
        if not (isinstance(case, type) and issubclass(case, unittest.TestCase)):
            return {"verdict": "ERROR", "message": "The unittest class %s is gone." % class_name}
        result = unittest.TestResult()
        try:
            unittest.TestSuite([case(method)]).run(result)
        except BaseException as e:  # noqa: B902
            return verdict_for_exception(e, self.sources)
        if result.errors:
            text = clean_traceback_text(result.errors[-1][1])
            verdict = "MEMORY_LIMIT" if "MemoryError" in text.splitlines()[-1] else "ERROR"
            return {"verdict": verdict, "message": text}
        if result.failures:
            return {"verdict": "FAILED", "message": clean_traceback_text(result.failures[-1][1])}
        if result.unexpectedSuccesses:
            return {"verdict": "FAILED", "message": "Unexpected success of a test marked expectedFailure."}
        if result.skipped:
            return {"verdict": "PASSED", "message": "skipped: %s" % result.skipped[-1][1]}
        return {"verdict": "PASSED"}


# what a test process runs between the code under test and its completion record
TEST_PROCESS_CODE = ("TestProcess", "HarnessFingerprint", "receive_fds", "fds_in", "write_all", "_dumps", "set_limit", "truncate",
                     "verdict_for_exception", "explain_assertion", "format_user_exception", "format_exception_only",
                     "clean_traceback_text", "register_sources", "builtins_module", "harness_changes",
                     "_identical", "set_dumpable", "prctl", "last_user_frame", "assert_at", "parts_to_explain",
                     "is_literal", "short_repr", "is_user_file", "library_path")


class HarnessFingerprint:
    """What the test process's own harness code is bound to, taken at import (before any untrusted
    code ran): each name of TEST_PROCESS_CODE in the module and each member of its classes, compared
    by identity, element by element in C (map over operator.is_), so checking after every test
    costs microseconds. Replacing one of its functions' code or defaults is seen as it happens:
    Python raises an "object.__setattr__" audit event for it, which the test process's audit hook
    looks up in function_ids (reading those attributes here would raise an audit event each)."""

    def __init__(self, module_globals, names):
        self.globals_get = module_globals.get
        self.names = tuple(names)
        self.values = tuple(map(self.globals_get, self.names))
        self.classes = tuple((name, value) for name, value in zip(self.names, self.values) if _isinstance(value, type))
        self.members = tuple((cls, tuple(vars(cls)), tuple(vars(cls).values())) for _, cls in self.classes)
        functions = [(name, value) for name, value in zip(self.names, self.values) if type(value).__name__ == "function"]
        for (name, cls), (_, members, values) in zip(self.classes, self.members):
            functions += [(name + "." + m, v) for m, v in zip(members, values) if type(v).__name__ == "function"]
        self.functions = tuple(f for _, f in functions)  # kept alive: their ids stay theirs
        self.function_ids = {id(f): name for name, f in functions}

    def changes(self):
        """Names whose binding, members, code, defaults or globals changed since import."""
        changed = []
        now = tuple(map(self.globals_get, self.names))
        if not _identical(now, self.values):
            changed += [n for n, a, b in zip(self.names, now, self.values) if a is not b]
        for (name, cls), (_, members, values) in zip(self.classes, self.members):
            current = vars(cls)
            now = tuple(map(current.get, members))
            if _len(current) != _len(members) or not _identical(now, values):
                expected = dict(zip(members, values))
                changed += [name + "." + m for m in set(current) | set(members)
                            if current.get(m, self) is not expected.get(m, self)]
        return sorted(set(changed))


def _identical(a, b):
    return _len(a) == _len(b) and all(map(_operator.is_, a, b))


def harness_changes():
    return HARNESS_FINGERPRINT.changes()


def builtins_module():
    import builtins
    return builtins


# ---- helpers ------------------------------------------------------------------------------

_JSON_ESCAPES = {i: "\\u%04x" % i for i in range(32)}
_JSON_ESCAPES.update({ord('"'): '\\"', ord("\\"): "\\\\", ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})


def _dumps(value):
    """JSON for the protocol events and records (str, int, float, bool, None, lists and dicts of them)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if _isinstance(value, _int):
        return _int.__repr__(value)
    if _isinstance(value, _float):
        return _float.__repr__(value)
    if _isinstance(value, _str):
        return '"' + _str.translate(value, _JSON_ESCAPES) + '"'
    if _isinstance(value, (list, tuple)):
        return "[" + ",".join([_dumps(v) for v in value]) + "]"
    if _isinstance(value, dict):
        return "{" + ",".join([_dumps(_str(k)) + ":" + _dumps(v) for k, v in value.items()]) + "}"
    return _dumps(_str(value))


def signal_name(number):
    for name in dir(signal):
        if name.startswith("SIG") and not name.startswith("SIG_") and getattr(signal, name) == number:
            return name
    return str(number)


def set_limit(which, value):
    try:
        resource.setrlimit(which, (value, value))
    except (ValueError, OSError):
        soft, hard = resource.getrlimit(which)
        if hard == resource.RLIM_INFINITY or value <= hard:
            resource.setrlimit(which, (value, hard))


def safe_name(name):
    return "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_" for c in name[:60]) or "test"


def register_sources(sources):
    """Lets tracebacks show the source lines of the solution and the tests."""
    import linecache
    for filename, source in sources.items():
        linecache.cache[filename] = (_len(source), None, source.splitlines(True), filename)


def truncate(text, limit=MAX_MESSAGE_CHARS):
    if text is None or _len(text) <= limit:
        return text
    return text[:limit] + "\n... (%d more characters)" % (_len(text) - limit)


def decode_capped(raw, limit):
    data = bytes(raw[:limit])
    text = data.decode("utf-8", "replace")
    if _len(raw) > limit:
        text += "\n... (output truncated at %d bytes)" % limit
    return text


def short_repr(value):
    try:
        text = repr(value)
    except BaseException:  # noqa: B902
        return "<unrepresentable %s>" % type(value).__name__
    if _len(text) > MAX_REPR_CHARS:
        text = text[:MAX_REPR_CHARS] + "..."
    return text


def compare_output(expected, actual):
    want = normalise_lines(expected)
    got = normalise_lines(actual)
    if want == got:
        return "PASSED", None
    for number, (w, g) in enumerate(zip(want, got), start=1):
        if w != g:
            return "FAILED", "Wrong output at line %d:\n  expected: %s\n  actual:   %s" % (
                number, short_repr(w), short_repr(g))
    if _len(got) < _len(want):
        return "FAILED", "Output ended after %d lines; expected %d. Next expected line: %s" % (
            _len(got), _len(want), short_repr(want[_len(got)]))
    return "FAILED", "Output has %d lines; expected %d. First extra line: %s" % (
        _len(got), _len(want), short_repr(got[_len(want)]))


def normalise_lines(text):
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def format_exception_only(e):
    import traceback
    return "".join(traceback.format_exception_only(type(e), e)).rstrip()


def is_user_file(filename):
    return filename == SOLUTION_FILE or filename.startswith("test_")


def library_path(filename):
    """Shows a library file without the directories it lives in on this machine."""
    for marker in ("site-packages/", "dist-packages/"):
        if marker in filename:
            return "<site-packages>/" + filename.split(marker, 1)[1]
    import re
    match = re.search(r"python\d\.\d+/(.*)$", filename)
    if match:
        return "<stdlib>/" + match.group(1)
    return "<library>/" + os.path.basename(filename)


def format_user_exception(e, sources):
    """A traceback of the user's frames only: no harness frames, no host paths."""
    import traceback
    register_sources(sources)
    frames = [f for f in traceback.extract_tb(e.__traceback__) if not f.filename.endswith("harness.py")]
    lines = []
    omitted = max(0, _len(frames) - MAX_TRACEBACK_FRAMES)
    if frames:
        lines.append("Traceback (most recent call last):")
    if omitted:
        lines.append("  ... %d earlier frames omitted" % omitted)
    for frame in frames[omitted:]:
        filename = frame.filename if is_user_file(frame.filename) else library_path(frame.filename)
        lines.append('  File "%s", line %s, in %s' % (filename, frame.lineno, frame.name))
        if frame.line:
            lines.append("    " + frame.line.strip())
    lines.append(format_exception_only(e))
    return "\n".join(lines)


def clean_traceback_text(text):
    """unittest's formatted traceback, with harness frames dropped and library paths shortened."""
    import re
    out = []
    skip_next_code = False
    for line in text.rstrip().splitlines():
        match = re.match(r'\s*File "([^"]+)", line (\d+), in (.*)$', line)
        if match:
            filename = match.group(1)
            if filename.endswith("harness.py"):
                skip_next_code = True
                continue
            skip_next_code = False
            if not is_user_file(filename):
                line = line.replace(filename, library_path(filename))
        elif skip_next_code and line.startswith("    "):
            continue
        out.append(line)
    return "\n".join(out)


def verdict_for_exception(e, sources):
    if isinstance(e, MemoryError):
        return {"verdict": "MEMORY_LIMIT", "message": "MemoryError: memory limit exceeded."}
    if isinstance(e, OSError) and e.errno in (errno.EFBIG, errno.ENOSPC, errno.EDQUOT):
        return {"verdict": "OUTPUT_LIMIT",
                "message": "File size limit exceeded:\n" + format_user_exception(e, sources)}
    message = format_user_exception(e, sources)
    if isinstance(e, BlockingIOError) and e.errno == errno.EAGAIN:
        message += "\n(The sandbox's process limit was probably reached.)"
    return {"verdict": "ERROR", "message": message}


def explain_assertion(e, sources):
    """The failing assert with the values of its non-literal parts, like pytest shows them."""
    import ast
    text = format_user_exception(e, sources)
    frame, lineno, filename = last_user_frame(e.__traceback__)
    if frame is None:
        return text
    node = assert_at(sources.get(filename), lineno)
    if node is None:
        return text
    source = sources[filename]
    lines = ["assert " + (ast.get_source_segment(source, node.test) or "...")]
    for part in parts_to_explain(node.test):
        segment = ast.get_source_segment(source, part)
        if not segment:
            continue
        try:
            value = eval(compile(ast.Expression(part), filename, "eval"), frame.f_globals, frame.f_locals)
        except BaseException:  # noqa: B902
            continue
        lines.append("  where %s = %s" % (segment, short_repr(value)))
    if node.msg is not None and e.args:
        lines.append("  message: %s" % short_repr(e.args[0]))
    return "\n".join(lines) + "\n" + text


def last_user_frame(tb):
    found = (None, None, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if is_user_file(filename):
            found = (tb.tb_frame, tb.tb_lineno, filename)
        tb = tb.tb_next
    return found


def assert_at(source, lineno):
    import ast
    if not source:
        return None
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert) and node.lineno <= lineno <= getattr(node, "end_lineno", node.lineno):
            return node
    return None


def parts_to_explain(test):
    import ast
    if isinstance(test, ast.Compare):
        parts = [test.left] + list(test.comparators)
    elif isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        parts = [test.operand]
    elif isinstance(test, ast.BoolOp):
        parts = list(test.values)
    else:
        parts = [test]
    return [p for p in parts if not is_literal(p)][:4]


def is_literal(node):
    import ast
    try:
        ast.literal_eval(node)
        return True
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False


HARNESS_GLOBALS = globals()
HARNESS_MODULE = __name__
HARNESS_FINGERPRINT = HarnessFingerprint(HARNESS_GLOBALS, TEST_PROCESS_CODE)  # at import, before any untrusted code ran


if __name__ == "__main__":
    main()

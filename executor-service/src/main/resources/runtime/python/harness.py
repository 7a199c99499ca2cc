"""IterPref test harness for Python programs.

Runs inside a sandbox (bubblewrap or Docker), never on the host. It reads one JSON spec on
stdin, runs the solution's top-level code once, then runs every test in a forked child of its
own (own process group, CPU and address-space limits, capped output pipes, wall deadline), so
an infinite loop, crash or exit in one test gives that test its verdict while the others still
get theirs. It writes one JSON event per line on its original stdout:

  {"event": "ready"}                             spec read, limits applied
  {"event": "units", "names": [...]}            the tests it will run, in order
  {"event": "setupError", "verdict": ..., "message": ...}
  {"event": "start", "name": ...}
  {"event": "result", "name": ..., "verdict": ..., ...}
  {"event": "done", "skipped": [...]}

Only the standard library is used, so the same file runs on any CPython >= 3.8.
"""

import _signal as signal
import errno
import marshal
import os
import resource
import select
import sys
import time

# Start-up time is most of a short execution's cost, so the harness imports nothing heavy up
# front: the spec arrives in marshal format (no json, whose import pulls in re), signals come
# from _signal (signal wraps them in enum), and ast, linecache, re, traceback and unittest are
# imported only where needed (failure reports, unittest suites).

SOLUTION_FILE = "solution.py"
RUNNER_BATCH = 32          # tests per runner process, each with its own output pipes
MAX_MESSAGE_CHARS = 4000
MAX_REPR_CHARS = 300
MAX_TRACEBACK_FRAMES = 8

# Bound before any untrusted code runs, so a solution that rebinds os.fork and friends
# in the shared modules cannot redirect the harness itself.
_fork, _wait4, _kill, _killpg, _pipe, _read, _write, _close, _dup2 = (
    os.fork, os.wait4, os.kill, os.killpg, os.pipe, os.read, os.write, os.close, os.dup2)
_monotonic, _poll = time.monotonic, select.poll
_getpid = os.getpid


class _SetupTimeout(BaseException):
    pass


def main():
    # the spec is framed on fd 0: a 4-byte big-endian length, then that many marshal bytes
    size = int.from_bytes(_read_exactly(0, 4), "big")
    run_spec(marshal.loads(_read_exactly(0, size)))


def _read_exactly(fd, n):
    data = bytearray()
    while len(data) < n:
        chunk = _read(fd, n - len(data))
        if not chunk:
            raise SystemExit("harness: stdin ended after %d of %d spec bytes" % (len(data), n))
        data += chunk
    return bytes(data)


def run_spec(spec):
    """Runs one execution in this process, reporting on fd 1, and exits."""
    if sys.flags.no_site and spec.get("path"):
        # started with -S: the service passes the interpreter's site directories instead
        sys.path[:] = spec["path"]
    proto = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        _dup2(devnull, fd)
    os.close(devnull)
    harness = Harness(spec, proto)
    harness.run()
    # everything is reported: skip interpreter teardown (a few ms of a short execution)
    os._exit(0)


class Harness:

    def __init__(self, spec, proto):
        self.proto = proto
        self.code = spec["code"]
        self.tests = spec["tests"]
        limits = spec["limits"]
        self.wall_s = limits["wallTimeMs"] / 1000.0
        self.memory_bytes = limits["memoryMb"] * 1024 * 1024
        self.max_processes = limits["maxProcesses"]
        self.max_output = limits["maxOutputBytes"]
        self.max_file_bytes = limits.get("maxFileBytes") or 64 * 1024 * 1024
        self.stop_on_first_failure = bool(spec.get("stopOnFirstFailure"))
        self.skip = set(spec.get("skip") or [])
        self.reap_all = bool(spec.get("ownPidNamespace"))
        # False where the sandbox caps processes itself (a container's pids cgroup): RLIMIT_NPROC
        # counts per host uid, which containers running as one uid would share
        self.limit_processes = spec.get("limitProcesses", True)
        self.namespace = None
        self.compiled = None
        self.sources = {}

    # ---- protocol -------------------------------------------------------------------------

    def emit(self, event):
        data = (_dumps(event) + "\n").encode("utf-8", "replace")
        view = memoryview(data)
        while view:
            written = _write(self.proto, view)
            view = view[written:]

    # ---- main flow ------------------------------------------------------------------------

    def run(self):
        self.apply_sandbox_limits()
        self.emit({"event": "ready"})
        try:
            self.compiled = compile(self.code, SOLUTION_FILE, "exec")
        except (SyntaxError, ValueError) as e:
            self.remember_source(SOLUTION_FILE, self.code)
            self.setup_failed("ERROR", "The code does not compile:\n" + format_exception_only(e))
            return
        self.remember_source(SOLUTION_FILE, self.code)
        needs_namespace = any(t["kind"] in ("assert", "unittest") for t in self.tests)
        if needs_namespace and not self.run_solution_top_level():
            return
        units = self.discover_units()
        if units is None:
            return
        self.emit({"event": "units", "names": [u[0] for u in units]})
        todo = [u for u in units if u[0] not in self.skip]
        done = 0
        stopped = False
        while done < len(todo) and not stopped:
            ran, stopped = Batch(self, todo[done:done + RUNNER_BATCH]).run()
            done += ran
        skipped = [u[0] for u in todo[done:]]
        self.emit({"event": "done", "skipped": skipped})

    def apply_sandbox_limits(self):
        set_limit(resource.RLIMIT_CORE, 0)
        if self.limit_processes:
            set_limit(resource.RLIMIT_NPROC, self.max_processes)
        set_limit(resource.RLIMIT_FSIZE, self.max_file_bytes)
        set_limit(resource.RLIMIT_AS, self.memory_bytes)

    def setup_failed(self, verdict, message):
        self.emit({"event": "setupError", "verdict": verdict, "message": truncate(message)})

    def remember_source(self, filename, source):
        self.sources[filename] = source

    def run_solution_top_level(self):
        """Runs the solution once in this process, so forked tests share its namespace."""
        self.namespace = {"__name__": "solution", "__builtins__": __builtins__}
        outcome = self.guarded(lambda: exec(self.compiled, self.namespace))
        if outcome is None:
            return True
        verdict, message = outcome
        self.setup_failed(verdict, "The code failed while loading:\n" + message)
        return False

    def guarded(self, action):
        """Runs action under the wall limit; None when it succeeded, else (verdict, message)."""
        previous = signal.signal(signal.SIGALRM, _raise_setup_timeout)
        signal.setitimer(signal.ITIMER_REAL, self.wall_s)
        try:
            action()
            return None
        except _SetupTimeout:
            return "TIMEOUT", "Time limit exceeded (%.1f s) while loading the code." % self.wall_s
        except MemoryError:
            return "MEMORY_LIMIT", "MemoryError: memory limit exceeded (%d MB)." % (self.memory_bytes >> 20)
        except SystemExit as e:
            return "ERROR", "SystemExit(%r) raised while loading the code." % (e.code,)
        except BaseException as e:  # noqa: B902 -- any failure of untrusted code is a verdict
            return "ERROR", format_user_exception(e, self.sources)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    def discover_units(self):
        units = []
        for test in self.tests:
            kind = test["kind"]
            if kind == "unittest":
                filename = "test_%s.py" % safe_name(test["name"])
                methods = self.discover_unittest(filename, test["unittest"])
                if methods is None:
                    return None
                units.extend(methods)
            else:
                filename = "test_%s.py" % safe_name(test["name"])
                if kind == "assert":
                    self.remember_source(filename, test["code"])
                units.append((test["name"], kind, dict(test, filename=filename)))
        return units

    def discover_unittest(self, filename, source):
        import unittest
        self.remember_source(filename, source)
        try:
            compiled = compile(source, filename, "exec")
        except (SyntaxError, ValueError) as e:
            self.setup_failed("ERROR", "The unittest code does not compile:\n" + format_exception_only(e))
            return None
        before = set(id(v) for v in self.namespace.values())
        outcome = self.guarded(lambda: exec(compiled, self.namespace))
        if outcome is not None:
            verdict, message = outcome
            self.setup_failed(verdict, "The unittest code failed while loading:\n" + message)
            return None
        loader = unittest.TestLoader()
        methods = []
        for value in list(self.namespace.values()):
            if (isinstance(value, type) and issubclass(value, unittest.TestCase)
                    and id(value) not in before):
                for method in loader.getTestCaseNames(value):
                    methods.append(("%s.%s" % (value.__name__, method), "unittest",
                                    {"case": value, "method": method}))
        if not methods:
            self.setup_failed("ERROR", "The unittest code defines no unittest.TestCase with test methods.")
            return None
        return methods

    def kill_group(self, pid):
        try:
            _killpg(pid, signal.SIGKILL)
        except OSError:
            pass

    def kill_strays(self, spare=0):
        """Kills every other process of the sandbox but {@code spare}: nothing a test started outlives it."""
        if not self.reap_all:
            return
        me = _getpid()
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                pid = int(entry)
                if pid != me and pid != 1 and pid != spare:
                    try:
                        _kill(pid, signal.SIGKILL)
                    except OSError:
                        pass

    def reap_orphans(self):
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return


class Batch:
    """Runs consecutive tests in one forked runner process, supervising each test on its own.

    Tests run in order in the runner, as they would in one Python program (HumanEval's and MBPP's
    own semantics), which saves a fork per test. Each test still gets its own stdout/stderr pipes,
    wall deadline, CPU limit and verdict, and every process it started is killed when it ends.
    A test that times out, crashes the runner, exits or floods its output ends the runner; the
    remaining tests run in a fresh runner forked from the pristine harness.
    """

    def __init__(self, harness, units):
        self.h = harness
        self.units = units

    def run(self):
        """Returns (tests run, stop requested)."""
        h = self.h
        pipes = [(_pipe(), _pipe()) for _ in self.units]
        result_r, result_w = _pipe()
        control_r, control_w = _pipe()
        for stream in (sys.stdout, sys.stderr):
            stream.flush()  # whatever the solution printed while loading goes to /dev/null, not to a test
        started = _monotonic()
        pid = _fork()
        if pid == 0:
            parent_side = [result_r, control_w] + [fd for (o, e) in pipes for fd in (o[0], e[0])]
            Runner(h, self.units, pipes, result_w, control_r, parent_side).run()
        for fd in [result_w, control_r] + [fd for (o, e) in pipes for fd in (o[1], e[1])]:
            _close(fd)
        pidfd = open_pidfd(pid)
        state = {"status": None, "rusage": None, "record": bytearray()}
        ran = 0
        stop = False
        try:
            for index, (name, kind, payload) in enumerate(self.units):
                if index > 0:
                    _write(control_w, b"c")
                    started = _monotonic()
                h.emit({"event": "start", "name": name})
                out_r, err_r = pipes[index][0][0], pipes[index][1][0]
                result, abnormal = self.supervise(name, kind, payload, pid, pidfd, started, result_r,
                                                  out_r, err_r, state)
                h.emit(result)
                ran += 1
                stop = h.stop_on_first_failure and result["verdict"] != "PASSED"
                if abnormal or stop:
                    break
        finally:
            h.kill_group(pid)
            h.kill_strays()
            if state["status"] is None:
                _wait4(pid, 0)
            for fd in [result_r, control_w] + [fd for (o, e) in pipes for fd in (o[0], e[0])]:
                try:
                    _close(fd)
                except OSError:
                    pass
            if pidfd is not None:
                _close(pidfd)
            h.reap_orphans()
        return ran, stop

    def supervise(self, name, kind, payload, pid, pidfd, started, result_r, out_r, err_r, state):
        """Watches one test; returns (result event, whether the runner is gone)."""
        h = self.h
        deadline = started + h.wall_s
        out, err = bytearray(), bytearray()
        streams = {out_r: out, err_r: err}
        overflow = None
        timed_out = False
        outcome = None
        poller = _poll()
        for fd in (result_r, out_r, err_r):
            poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        if pidfd is not None:
            poller.register(pidfd, select.POLLIN)
        open_streams = {out_r, err_r}
        while outcome is None and state["status"] is None and overflow is None:
            remaining = deadline - _monotonic()
            if remaining <= 0:
                timed_out = True
                break
            wait_ms = int(min(remaining, 0.05 if pidfd is None else remaining) * 1000) + 1
            for fd, _ in poller.poll(wait_ms):
                if fd == pidfd:
                    self.reap(pid, state)
                elif fd == result_r:
                    outcome = self.read_record(result_r, state)
                else:
                    overflow = self.read_stream(fd, streams[fd], open_streams, poller) or overflow
            if pidfd is None:
                self.reap(pid, state, block=False)
        abnormal = outcome is None
        if abnormal:
            h.kill_group(pid)
            self.reap(pid, state)
        h.kill_strays(spare=0 if abnormal else pid)
        self.drain(poller, streams, open_streams)
        result = {"event": "result", "name": name, "timeMs": int((_monotonic() - started) * 1000),
                  "stdout": decode_capped(out, h.max_output), "stderr": decode_capped(err, h.max_output)}
        if abnormal:
            rusage = state["rusage"]
            if rusage is not None:
                result["cpuTimeMs"] = int((rusage.ru_utime + rusage.ru_stime) * 1000)
                result["peakMemoryKb"] = int(rusage.ru_maxrss)
            verdict, message, exit_code = self.judge_abnormal(state, timed_out, overflow,
                                                              result.get("peakMemoryKb", 0))
        else:
            result["cpuTimeMs"] = outcome.get("cpuTimeMs")
            result["peakMemoryKb"] = outcome.get("peakMemoryKb")
            verdict, message, exit_code = self.judge(kind, payload, outcome, result["stdout"])
        result.update(verdict=verdict, message=message and truncate(message), exitCode=exit_code)
        return result, abnormal

    @staticmethod
    def reap(pid, state, block=True):
        if state["status"] is not None:
            return
        waited, status, rusage = _wait4(pid, 0 if block else os.WNOHANG)
        if waited == pid:
            state["status"], state["rusage"] = status, rusage

    @staticmethod
    def read_record(fd, state):
        """A test's outcome: 4-byte length, then marshal. None until complete."""
        record = state["record"]
        chunk = _read(fd, 65536)
        if not chunk:
            return None
        record.extend(chunk)
        if len(record) < 4:
            return None
        size = int.from_bytes(record[:4], "big")
        if len(record) < 4 + size:
            return None
        try:
            outcome = marshal.loads(bytes(record[4:4 + size]))
        except (ValueError, EOFError, TypeError):
            outcome = {"verdict": "ERROR", "message": "The test's report was corrupted."}
        del record[:4 + size]
        return outcome if isinstance(outcome, dict) else {"verdict": "ERROR", "message": "Bad test report."}

    def read_stream(self, fd, buf, open_streams, poller):
        chunk = _read(fd, 65536)
        if not chunk:
            poller.unregister(fd)
            open_streams.discard(fd)
            return None
        if len(buf) <= self.h.max_output:
            buf.extend(chunk)
        if len(buf) > self.h.max_output:
            return "stdout" if fd == min(open_streams | {fd}) else "stderr"
        return None

    def drain(self, poller, streams, open_streams):
        """Reads what the test left in its pipes (their writers are gone or killed by now)."""
        deadline = _monotonic() + 0.2
        while open_streams and _monotonic() < deadline:
            for fd, _ in poller.poll(20):
                if fd in open_streams:
                    buf = streams[fd]
                    chunk = _read(fd, 65536)
                    if not chunk:
                        poller.unregister(fd)
                        open_streams.discard(fd)
                    elif len(buf) <= self.h.max_output:
                        buf.extend(chunk)

    def judge(self, kind, payload, outcome, stdout):
        verdict = outcome.get("verdict", "ERROR")
        message = outcome.get("message")
        exit_code = outcome.get("exitCode", 0)
        if kind == "stdio" and verdict == "PASSED":
            verdict, message = compare_output(payload["expectedStdout"], stdout)
        return verdict, message, exit_code

    def judge_abnormal(self, state, timed_out, overflow, peak_kb):
        h = self.h
        status = state["status"]
        exit_code = signal_number = None
        if status is not None:
            if os.WIFEXITED(status):
                exit_code = os.WEXITSTATUS(status)
            elif os.WIFSIGNALED(status):
                signal_number = os.WTERMSIG(status)
                exit_code = -signal_number
        if overflow:
            return "OUTPUT_LIMIT", "Output limit exceeded: more than %d bytes on %s." % (h.max_output, overflow), exit_code
        if timed_out:
            return "TIMEOUT", "Time limit exceeded (%.1f s)." % h.wall_s, exit_code
        if signal_number == signal.SIGXCPU:
            return "TIMEOUT", "CPU time limit exceeded (%.1f s)." % h.wall_s, exit_code
        if signal_number == signal.SIGXFSZ:
            return "OUTPUT_LIMIT", "File size limit exceeded (%d bytes)." % h.max_file_bytes, exit_code
        if signal_number is not None:
            if signal_number == signal.SIGKILL and peak_kb * 1024 >= 0.9 * h.memory_bytes:
                return "MEMORY_LIMIT", "Killed (SIGKILL) near the memory limit by the out-of-memory killer.", exit_code
            return "ERROR", "The test process was killed by signal %s." % signal_name(signal_number), exit_code
        return "ERROR", "The test process exited with code %s before the test finished." % exit_code, exit_code


class Runner:
    """The forked process that runs a batch of tests in order (see Batch)."""

    def __init__(self, harness, units, pipes, result_w, control_r, parent_side):
        self.h = harness
        self.units = units
        self.pipes = pipes
        self.result_w = result_w
        self.control_r = control_r
        self.parent_side = parent_side

    def run(self):
        me = _getpid()
        try:
            self.prepare()
            for index, (name, kind, payload) in enumerate(self.units):
                if index > 0 and os.read(self.control_r, 1) != b"c":
                    os._exit(0)
                outcome = self.run_one(index, kind, payload)
                if _getpid() != me:
                    os._exit(0)  # a process the test forked returned into the harness: only the runner reports
                self.report(outcome)
        except BaseException:  # noqa: B902 -- the supervisor reports a runner that dies
            os._exit(121)
        os._exit(0)

    def prepare(self):
        os.setsid()
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        for fd in self.parent_side:
            _close(fd)
        os.close(self.h.proto)
        used = cpu_seconds()
        self.cpu_hard = int(used + len(self.units) * (self.h.wall_s + 1)) + 2
        self.devnull = os.open(os.devnull, os.O_RDWR)

    def run_one(self, index, kind, payload):
        (_, out_w), (_, err_w) = self.pipes[index]
        stdin = self.stdin_for(payload.get("stdin") if kind == "stdio" else None)
        _dup2(stdin, 0)
        _close(stdin)
        _dup2(out_w, 1)
        _dup2(err_w, 2)
        _close(out_w)
        _close(err_w)
        before = cpu_seconds()
        resource.setrlimit(resource.RLIMIT_CPU, (min(self.cpu_hard, int(before + self.h.wall_s) + 1), self.cpu_hard))
        try:
            outcome = ChildRun(self.h, kind, payload).run()
        except BaseException as e:  # noqa: B902
            outcome = {"verdict": "ERROR", "message": "harness failure in the test process: %r" % (e,)}
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            try:
                stream.flush()
            except BaseException:  # noqa: B902
                pass
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        _dup2(self.devnull, 1)  # closes this test's pipes: the supervisor sees their end
        _dup2(self.devnull, 2)
        outcome["cpuTimeMs"] = int((cpu_seconds() - before) * 1000)
        outcome["peakMemoryKb"] = int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        return outcome

    @staticmethod
    def stdin_for(data):
        if not data:
            return os.open(os.devnull, os.O_RDONLY)
        fd = os.memfd_create("stdin")
        view = memoryview(data.encode("utf-8"))
        while view:
            view = view[os.write(fd, view):]
        os.lseek(fd, 0, os.SEEK_SET)
        return fd

    def report(self, outcome):
        data = marshal.dumps(outcome)
        view = memoryview(len(data).to_bytes(4, "big") + data)
        while view:
            view = view[_write(self.result_w, view):]


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class ChildRun:
    """What runs inside the forked test process."""

    def __init__(self, harness, kind, payload):
        self.harness = harness
        self.kind = kind
        self.payload = payload

    def run(self):
        try:
            if self.kind == "assert":
                return self.run_assert()
            if self.kind == "stdio":
                return self.run_stdio()
            return self.run_unittest()
        except MemoryError:
            return {"verdict": "MEMORY_LIMIT",
                    "message": "MemoryError: memory limit exceeded (%d MB)." % (self.harness.memory_bytes >> 20)}

    def run_assert(self):
        filename = self.payload["filename"]
        try:
            code = compile(self.payload["code"], filename, "exec")
        except (SyntaxError, ValueError) as e:
            return {"verdict": "ERROR", "message": "The test does not compile:\n" + format_exception_only(e)}
        try:
            exec(code, self.harness.namespace)
        except AssertionError as e:
            return {"verdict": "FAILED", "message": explain_assertion(e, self.harness.sources)}
        except SystemExit as e:
            return {"verdict": "ERROR",
                    "message": "SystemExit(%r) raised: the program exited before the test finished." % (e.code,)}
        except BaseException as e:  # noqa: B902
            return verdict_for_exception(e, self.harness.sources)
        return {"verdict": "PASSED"}

    def run_stdio(self):
        namespace = {"__name__": "__main__", "__builtins__": __builtins__}
        try:
            exec(self.harness.compiled, namespace)
        except SystemExit as e:
            code = e.code
            if code is None or code == 0:
                return {"verdict": "PASSED", "exitCode": 0}
            if not isinstance(code, int):
                sys.stderr.write(str(code) + "\n")
                code = 1
            return {"verdict": "ERROR", "exitCode": code,
                    "message": "The program exited with code %d." % code}
        except BaseException as e:  # noqa: B902
            outcome = verdict_for_exception(e, self.harness.sources)
            sys.stderr.write(outcome["message"] + "\n")
            outcome["exitCode"] = 1
            return outcome
        return {"verdict": "PASSED", "exitCode": 0}

    def run_unittest(self):
        import unittest
        register_sources(self.harness.sources)
        case = self.payload["case"]
        method = self.payload["method"]
        result = unittest.TestResult()
        suite = unittest.TestSuite([case(method)])
        suite.run(result)
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


# ---- helpers ----------------------------------------------------------------------------

def _raise_setup_timeout(signum, frame):
    raise _SetupTimeout()


_JSON_ESCAPES = {i: "\\u%04x" % i for i in range(32)}
_JSON_ESCAPES.update({ord('"'): '\\"', ord("\\"): "\\\\", ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})


def _dumps(value):
    """JSON for the protocol events (str, int, float, bool, None, lists and dicts of them)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.translate(_JSON_ESCAPES) + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_dumps(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(_dumps(str(k)) + ":" + _dumps(v) for k, v in value.items()) + "}"
    return _dumps(str(value))


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


def open_pidfd(pid):
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def safe_name(name):
    return "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_" for c in name[:60]) or "test"


def register_sources(sources):
    """Lets tracebacks show the source lines of the solution and the tests."""
    import linecache
    for filename, source in sources.items():
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)


def truncate(text, limit=MAX_MESSAGE_CHARS):
    if text is None or len(text) <= limit:
        return text
    return text[:limit] + "\n... (%d more characters)" % (len(text) - limit)


def decode_capped(raw, limit):
    data = bytes(raw[:limit])
    text = data.decode("utf-8", "replace")
    if len(raw) > limit:
        text += "\n... (output truncated at %d bytes)" % limit
    return text


def short_repr(value):
    try:
        text = repr(value)
    except BaseException:  # noqa: B902
        return "<unrepresentable %s>" % type(value).__name__
    if len(text) > MAX_REPR_CHARS:
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
    if len(got) < len(want):
        return "FAILED", "Output ended after %d lines; expected %d. Next expected line: %s" % (
            len(got), len(want), short_repr(want[len(got)]))
    return "FAILED", "Output has %d lines; expected %d. First extra line: %s" % (
        len(got), len(want), short_repr(got[len(want)]))


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
    omitted = max(0, len(frames) - MAX_TRACEBACK_FRAMES)
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


if __name__ == "__main__":
    main()

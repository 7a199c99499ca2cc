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

import ast
import errno
import io
import json
import linecache
import os
import re
import resource
import select
import signal
import sys
import time
import traceback
import unittest

SOLUTION_FILE = "solution.py"
MAX_MESSAGE_CHARS = 4000
MAX_REPR_CHARS = 300
MAX_TRACEBACK_FRAMES = 8

# Bound before any untrusted code runs, so a solution that rebinds os.fork and friends
# in the shared modules cannot redirect the harness itself.
_fork, _wait4, _kill, _killpg, _pipe, _read, _write, _close, _dup2 = (
    os.fork, os.wait4, os.kill, os.killpg, os.pipe, os.read, os.write, os.close, os.dup2)
_monotonic, _poll, _dumps = time.monotonic, select.poll, json.dumps
_getpid = os.getpid


class _SetupTimeout(BaseException):
    pass


def main():
    spec = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    proto = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        _dup2(devnull, fd)
    harness = Harness(spec, proto)
    harness.run()


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
        data = (_dumps(event, ensure_ascii=False) + "\n").encode("utf-8", "replace")
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
        skipped = []
        stopped = False
        for name, kind, payload in units:
            if name in self.skip:
                continue
            if stopped:
                skipped.append(name)
                continue
            self.emit({"event": "start", "name": name})
            result = self.run_unit(name, kind, payload)
            self.emit(result)
            if self.stop_on_first_failure and result["verdict"] != "PASSED":
                stopped = True
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
        lines = source.splitlines(True)
        linecache.cache[filename] = (len(source), None, lines, filename)

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

    # ---- one test in a forked child -------------------------------------------------------

    def run_unit(self, name, kind, payload):
        result_r, result_w = _pipe()
        out_r, out_w = _pipe()
        err_r, err_w = _pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        started = _monotonic()
        pid = _fork()
        if pid == 0:
            self.child(kind, payload, result_w, out_w, err_w)
        for fd in (result_w, out_w, err_w):
            _close(fd)
        return self.supervise(name, kind, payload, pid, started, result_r, out_r, err_r)

    def child(self, kind, payload, result_w, out_w, err_w):
        try:
            os.setsid()
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            stdin = self.child_stdin(payload.get("stdin") if kind == "stdio" else None)
            _dup2(stdin, 0)
            _dup2(out_w, 1)
            _dup2(err_w, 2)
            _dup2(result_w, 3)
            os.closerange(4, 65536)
            cpu = int(self.wall_s) + 1
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
            me = _getpid()
            outcome = ChildRun(self, kind, payload).run()
        except BaseException as e:  # noqa: B902
            me = None
            outcome = {"verdict": "ERROR", "message": "harness failure in test process: %r" % (e,)}
        if me is not None and _getpid() != me:
            # a process the test forked returned into the harness: only the test process reports
            os._exit(0)
        try:
            sys.stdout.flush()
        except BaseException:  # noqa: B902
            pass
        try:
            sys.stderr.flush()
        except BaseException:  # noqa: B902
            pass
        try:
            data = _dumps(outcome, ensure_ascii=False).encode("utf-8", "replace")
            view = memoryview(data)
            while view:
                view = view[_write(3, view):]
        except BaseException:  # noqa: B902
            os._exit(121)
        os._exit(0)

    @staticmethod
    def child_stdin(data):
        if not data:
            return os.open(os.devnull, os.O_RDONLY)
        fd = os.memfd_create("stdin")
        raw = data.encode("utf-8")
        view = memoryview(raw)
        while view:
            view = view[os.write(fd, view):]
        os.lseek(fd, 0, os.SEEK_SET)
        return fd

    def supervise(self, name, kind, payload, pid, started, result_r, out_r, err_r):
        deadline = started + self.wall_s
        buffers = {result_r: bytearray(), out_r: bytearray(), err_r: bytearray()}
        overflow = None
        timed_out = False
        status = rusage = None
        poller = _poll()
        for fd in buffers:
            poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        pidfd = open_pidfd(pid)
        if pidfd is not None:
            poller.register(pidfd, select.POLLIN)
        open_fds = set(buffers)
        while True:
            if status is None:
                waited, st, ru = _wait4(pid, os.WNOHANG)
                if waited == pid:
                    status, rusage = st, ru
                    self.kill_group(pid)
                    self.kill_strays()
                    deadline = min(deadline, _monotonic() + 0.5)
            if status is not None and not open_fds:
                break
            remaining = deadline - _monotonic()
            if remaining <= 0:
                if status is None:
                    timed_out = True
                    self.kill_group(pid)
                    self.kill_strays()
                    _, status, rusage = _wait4(pid, 0)
                    deadline = _monotonic() + 0.5
                    continue
                break
            timeout_ms = max(1, int(min(remaining, 0.05 if pidfd is None else remaining) * 1000) + 1)
            for fd, _ in poller.poll(timeout_ms):
                if fd == pidfd:
                    poller.unregister(pidfd)
                    _close(pidfd)
                    pidfd = None
                    continue
                chunk = _read(fd, 65536)
                if not chunk:
                    poller.unregister(fd)
                    open_fds.discard(fd)
                    continue
                buf = buffers[fd]
                buf.extend(chunk)
                if fd != result_r and len(buf) > self.max_output and overflow is None:
                    overflow = "stdout" if fd == out_r else "stderr"
                    self.kill_group(pid)
                if fd == result_r and len(buf) > 4 * self.max_output + MAX_MESSAGE_CHARS * 4:
                    overflow = overflow or "result"
                    self.kill_group(pid)
        for fd in list(open_fds) + ([pidfd] if pidfd is not None else []):
            _close(fd)
        self.reap_orphans()
        elapsed_ms = int((_monotonic() - started) * 1000)
        stdout = decode_capped(buffers[out_r], self.max_output)
        stderr = decode_capped(buffers[err_r], self.max_output)
        peak_kb = int(rusage.ru_maxrss) if rusage is not None else 0
        verdict, message, exit_code = self.judge(kind, payload, status, timed_out, overflow,
                                                 bytes(buffers[result_r]), stdout, peak_kb)
        result = {
            "event": "result", "name": name, "verdict": verdict, "message": message,
            "timeMs": elapsed_ms, "exitCode": exit_code,
            "stdout": stdout, "stderr": stderr,
        }
        if rusage is not None:
            result["cpuTimeMs"] = int((rusage.ru_utime + rusage.ru_stime) * 1000)
            result["peakMemoryKb"] = int(rusage.ru_maxrss)
        return result

    def judge(self, kind, payload, status, timed_out, overflow, raw_result, stdout, peak_kb):
        exit_code = None
        signal_number = None
        if status is not None:
            if os.WIFEXITED(status):
                exit_code = os.WEXITSTATUS(status)
            elif os.WIFSIGNALED(status):
                signal_number = os.WTERMSIG(status)
                exit_code = -signal_number
        if overflow in ("stdout", "stderr"):
            return "OUTPUT_LIMIT", "Output limit exceeded: more than %d bytes on %s." % (
                self.max_output, overflow), exit_code
        if timed_out:
            return "TIMEOUT", "Time limit exceeded (%.1f s)." % self.wall_s, exit_code
        if signal_number == signal.SIGXCPU:
            return "TIMEOUT", "CPU time limit exceeded (%.1f s)." % self.wall_s, exit_code
        if signal_number == signal.SIGXFSZ:
            return "OUTPUT_LIMIT", "File size limit exceeded (%d bytes)." % self.max_file_bytes, exit_code
        outcome = None
        if raw_result and exit_code == 0:
            try:
                outcome = json.loads(raw_result.decode("utf-8", "replace"))
            except ValueError:
                outcome = None
        if outcome is None:
            if signal_number is not None:
                name = signal.Signals(signal_number).name if signal_number in signal.Signals._value2member_map_ else str(signal_number)
                if signal_number == signal.SIGKILL and peak_kb * 1024 >= 0.9 * self.memory_bytes:
                    return "MEMORY_LIMIT", "Killed (SIGKILL) near the memory limit by the out-of-memory killer.", exit_code
                return "ERROR", "The test process was killed by signal %s." % name, exit_code
            return "ERROR", "The test process exited with code %s before the test finished." % exit_code, exit_code
        verdict = outcome.get("verdict", "ERROR")
        message = outcome.get("message")
        if outcome.get("exitCode") is not None:
            exit_code = outcome["exitCode"]
        if kind == "stdio" and verdict == "PASSED":
            verdict, message = compare_output(payload["expectedStdout"], stdout)
        return verdict, message and truncate(message), exit_code

    def kill_group(self, pid):
        try:
            _killpg(pid, signal.SIGKILL)
        except OSError:
            pass

    def kill_strays(self):
        """Kills every other process of the sandbox: nothing a test started outlives it."""
        if not self.reap_all:
            return
        me = _getpid()
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                pid = int(entry)
                if pid != me and pid != 1:
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
    return re.sub(r"[^A-Za-z0-9_]", "_", name)[:60] or "test"


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
    return "".join(traceback.format_exception_only(type(e), e)).rstrip()


def is_user_file(filename):
    return filename == SOLUTION_FILE or filename.startswith("test_")


def library_path(filename):
    """Shows a library file without the directories it lives in on this machine."""
    for marker in ("site-packages/", "dist-packages/"):
        if marker in filename:
            return "<site-packages>/" + filename.split(marker, 1)[1]
    match = re.search(r"python\d\.\d+/(.*)$", filename)
    if match:
        return "<stdlib>/" + match.group(1)
    return "<library>/" + os.path.basename(filename)


def format_user_exception(e, sources):
    """A traceback of the user's frames only: no harness frames, no host paths."""
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
    try:
        ast.literal_eval(node)
        return True
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False


if __name__ == "__main__":
    main()

"""IterPref fork server: one long-lived process per executor worker, inside a bubblewrap sandbox.

bubblewrap (run by the root service, without a user namespace) gives this process a read-only
view of the system directories, no network, its own pid namespace, and only the capabilities the
service lists (SYS_ADMIN, SETUID, SETGID, SETPCAP, NET_ADMIN). It never runs untrusted code and
never holds a spec.

At start it forks its **judge**: the harness's supervisor as a long-lived process, under a uid of
its own (--judge-uid, no execution has it), without capabilities, not dumpable, behind the
system-call filter. The judge never forks, so nothing it ever read (specs, expected output) can
reach a process that runs a solution.

For each execution the server reads one small header frame from stdin (4-byte big-endian length,
then marshal: the execution's uid, deadline, tmpfs size and cgroup paths) and forks, into a new
pid namespace, the execution's **spawner** (its pid 1), which, still root:

  1. moves itself into the execution's cgroup (memory and pids limits for everything below it);
  2. enters fresh mount, ipc, uts, network (loopback only) and cgroup namespaces;
  3. mounts fresh size-capped tmpfs on /work (owned by the execution's uid), /tmp and /dev/shm,
     and its pid namespace's /proc (the cgroup directories the server can write are unmounted
     from the execution's view), and brings up its loopback interface;
  4. drops every capability from the bounding set, all groups, switches to the execution's own
     unprivileged uid, sets a new session, and adds the execution's part of the system-call filter
     (libseccomp, see sandbox_seccomp.py) to the server's own part, which refuses everything but
     the calls that build namespaces: together, the whole filter;
  5. serves the judge (the socket the server handed it): forks a test process per request, kills
     and reaps what the tests leave behind, reports each test process's end.

The judge then reads the execution's spec frame, which follows the header on the same stdin, runs
the tests through that spawner and writes its protocol events to the service in D frames (type
byte, 4-byte length, bytes); nothing of the execution can write to the service's pipe. When the
judge is done, it closes its socket: the spawner, pid 1, exits and takes every process of the
execution with it. The server then writes an X frame with the spawner's exit status (and whether
the execution's deadline passed, in which case the server killed the spawner itself) and reads
the next header.
"""

import ctypes
import fcntl
import marshal
import os
import select
import _socket as socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (after the path tweak: the server runs with -I)
import sandbox_seccomp  # noqa: E402
import json  # noqa: E402,F401  (the judge parses test records with it)

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWPID = 0x00020000, 0x04000000, 0x08000000, 0x20000000
CLONE_NEWNET, CLONE_NEWCGROUP = 0x40000000, 0x02000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = (
    1, 2, 4, 8, 32, 4096, 0x4000, 0x40000)
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_CAPBSET_DROP = 1, 24
SIGKILL = 9
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP, IFF_RUNNING = 0x8913, 0x8914, 0x1, 0x40
MAX_HEADER_BYTES = 1 << 16

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, "%s: %s" % (what, os.strerror(err)))


def prctl(option, arg=0):
    _check(_libc.prctl(option, ctypes.c_ulong(arg), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)),
           "prctl %d" % option)


def mount(source, target, fstype, flags, data=None):
    _check(_libc.mount(source and source.encode(), target.encode(), fstype and fstype.encode(),
                       ctypes.c_ulong(flags), data and data.encode()), "mount %s" % target)


SPAWNER_GRACE_S = 2.0  # after the judge finished, for the spawner to exit (it exits at once)
JUDGE_GRACE_S = 10.0  # after the deadline, for the judge to report what it saw


def main():
    judge_uid = None
    for arg in sys.argv[1:]:
        if arg.startswith("--judge-uid="):
            judge_uid = int(arg.split("=", 1)[1])
        elif arg.startswith("--cpu="):
            pin(int(arg.split("=", 1)[1]))
    if judge_uid is None or judge_uid <= 0:
        raise SystemExit("fork server: --judge-uid=N (a uid no execution has) is required")
    # the server itself, its judge and every execution: all of the filter but the calls that build
    # an execution's namespaces; each execution adds the rest once it has built them
    sandbox_seccomp.prepare(part="execution")
    sandbox_seccomp.install(part="server")
    judge = start_judge(judge_uid)
    pid_namespace = os.open("/proc/self/ns/pid", os.O_RDONLY)
    # every execution is forked from here: objects that exist now never move between collector
    # generations again, so no child copies their pages just to scan them (copy-on-write and
    # exit teardown are most of an execution's kernel time)
    import gc
    gc.freeze()
    while True:
        header = read_frame(0)
        if header is None:
            return
        serve(header, judge, pid_namespace)


def pin(cpu):
    """Runs this server, its judge and its executions on one core (the service pins the worker
    thread that drives this server to the same one): an execution's processes hand work to each
    other many times per test, and on one core each hand-off finds the next process's caches warm
    and never waits for a busy core while another idles. Scheduling, not a limit: a test may move
    itself to any allowed core. A core this process may not use is ignored."""
    if cpu in os.sched_getaffinity(0):
        os.sched_setaffinity(0, {cpu})


def start_judge(uid):
    """Forks the judge (see the module docstring); the server's end of the socket to it."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid = os.fork()
    if pid == 0:
        try:
            ours.close()
            prctl(PR_SET_PDEATHSIG, SIGKILL)
            drop_privileges(uid)
            harness.set_dumpable(False)
            judge(theirs)
        finally:
            os._exit(0)
    theirs.close()
    return ours


def judge(sock):
    """The judge's loop: per execution, a spawner's socket (and the execution's OOM counters, when it
    has a memory cgroup), then the spec from stdin and the events to stdout in D frames; "F" + "1"
    (done) or "0" (no whole spec)."""
    while True:
        try:
            message, ancillary, _, _ = sock.recvmsg(16, socket.CMSG_SPACE(3 * 4))
        except OSError:
            return
        fds = harness.fds_in(ancillary)
        if message[:1] != b"E" or len(fds) != len(message) or message.strip(b"EMP") or len(message) > 3:
            return
        spawner = harness.Spawner(None, socket.socket(fileno=fds[0]))
        named = dict(zip(message[1:].decode("ascii"), fds[1:]))
        oom = harness.OomCounter(fd=named.get("M"))
        events = EventBuffer()
        try:
            supervisor = harness.Supervisor(write=events.write, local=False, pids_fd=named.get("P"))
            complete = supervisor.serve(spawner, oom)
            del supervisor
        finally:
            events.flush()
            for fd in fds[1:]:
                os.close(fd)
        sock.send(b"F1" if complete else b"F0")


class EventBuffer:
    """The judge's events of one execution, written in as few D frames as possible: the service reads
    them when the execution ends, and every frame costs it (and the judge) a wake-up."""

    LIMIT = 256 * 1024

    def __init__(self):
        self.parts = []
        self.size = 0

    def write(self, data):
        self.parts.append(data)
        self.size += len(data)
        if self.size >= self.LIMIT:
            self.flush()

    def flush(self):
        if self.parts:
            frame(b"D", b"".join(self.parts))
            self.parts = []
            self.size = 0


def read_frame(fd):
    size = harness.read_exact(fd, 4)
    if len(size) < 4:
        return None
    length = struct.unpack(">I", size)[0]
    if length > MAX_HEADER_BYTES:
        raise SystemExit("fork server: header frame of %d bytes" % length)
    return marshal.loads(harness.read_exact(fd, length))


def serve(header, judge, pid_namespace):
    """Runs one execution: its spawner in fresh namespaces, the judge on it; then the X frame.

    The X frame is written only after the judge wrote its last event and every process of the
    execution is gone (its pid namespace died with its pid 1, the spawner).
    """
    started = time.monotonic()
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    _check(_libc.unshare(CLONE_NEWPID), "unshare")  # the next child is pid 1 of a new pid namespace
    try:
        pid = os.fork()
    except OSError:
        _check(_libc.setns(pid_namespace, CLONE_NEWPID), "setns")
        raise
    if pid == 0:
        try:
            ours.close()
            judge.close()
            os.close(pid_namespace)
            spawner(header, theirs)
        finally:
            os._exit(120)
    _check(_libc.setns(pid_namespace, CLONE_NEWPID), "setns")  # later children: this namespace again
    theirs.close()
    # the spawner's socket, then (where the execution has cgroups) its OOM counters ("M") and its
    # process count ("P"): the judge asks the spawner to look for strays only when there are some
    fds, names = [ours.detach()], b""  # the socket object lets go: the fd is closed below, once
    for name, fd in ((b"M", open_first(header, ("memory.events", "memory.oom_control"))),
                     (b"P", open_first(header, ("pids.current",)))):
        if fd is not None:
            fds.append(fd)
            names += name
    try:
        judge.sendmsg([b"E" + names],
                      [(socket.SOL_SOCKET, socket.SCM_RIGHTS, b"".join(fd.to_bytes(4, sys.byteorder) for fd in fds))])
    finally:
        for fd in fds:
            os.close(fd)
    deadline = started + header["deadlineMs"] / 1000.0
    exceeded, complete = watch(judge, pid, deadline)
    status = wait_for(pid)
    code = os.waitstatus_to_exitcode(status)
    if complete is None:
        raise SystemExit("fork server: the judge is gone")  # the service retires this server
    trailer = '{"code":%d,"deadlineExceeded":%s}' % (128 - code if code < 0 else code, "true" if exceeded else "false")
    frame(b"X", trailer.encode())
    if not complete:
        raise SystemExit("fork server: the judge read no whole spec")


def open_first(header, names):
    """A descriptor of the first of these files in the execution's cgroup directories, for the judge
    (which cannot see the cgroup directories itself); None without cgroups."""
    cgroup = header.get("cgroup") or {}
    dirs = [cgroup["memcg"]] if cgroup.get("memcg") else []
    dirs += [os.path.dirname(procs) for procs in cgroup.get("procs", ())]
    dirs = list(dict.fromkeys(dirs))  # v1: the memory cgroup is also where one of the procs files is
    for name in names:
        for directory in dirs:
            try:
                return os.open(directory + "/" + name, os.O_RDONLY | os.O_CLOEXEC)
            except FileNotFoundError:
                continue
    return None


def watch(judge, pid, deadline):
    """Waits for the judge to finish, killing the spawner at the deadline: (deadline exceeded,
    True/False as the judge reported, None when the judge is gone)."""
    exceeded = False
    poller = select.poll()
    poller.register(judge.fileno(), select.POLLIN | select.POLLHUP | select.POLLERR)
    while True:
        now = time.monotonic()
        if not exceeded and now >= deadline:
            exceeded = True
            os.kill(pid, SIGKILL)  # pid 1 of the execution: every process of it dies
            deadline = now + JUDGE_GRACE_S
        elif exceeded and now >= deadline:
            return exceeded, None
        if not poller.poll(int((deadline - now) * 1000) + 1):
            continue
        try:
            reply = judge.recv(16)
        except OSError:
            reply = b""
        if reply[:1] != b"F":
            if not exceeded:
                os.kill(pid, SIGKILL)
            return exceeded, None
        return exceeded, reply == b"F1"


def wait_for(pid):
    """The spawner's wait status: it exits as soon as the judge closed its socket, or is killed."""
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        return status
    pidfd = os.pidfd_open(pid)
    try:
        if not select.select([pidfd], [], [], SPAWNER_GRACE_S)[0]:
            os.kill(pid, SIGKILL)
    finally:
        os.close(pidfd)
    return os.waitpid(pid, 0)[1]


def frame(kind, payload):
    data = memoryview(kind + struct.pack(">I", len(payload)) + payload)
    while data:
        data = data[os.write(1, data):]


def spawner(header, sock):
    """In the forked child, pid 1 of its pid namespace and still root: builds the execution's sandbox,
    then serves the judge as the execution's spawner. Nothing of the service's pipes stays open."""
    prctl(PR_SET_PDEATHSIG, SIGKILL)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    cgroup = header.get("cgroup")
    if cgroup:
        for procs in cgroup["procs"]:
            with open(procs, "w") as f:
                f.write("0")  # moves this process; everything it starts stays in the cgroup
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWCGROUP), "unshare")
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    uid = int(header["uid"])
    size = int(header["tmpfsBytes"])
    flags = MS_NOSUID | MS_NODEV
    mount("tmpfs", "/work", "tmpfs", flags, "size=%d,mode=0700,uid=%d,gid=%d" % (size, uid, uid))
    mount("tmpfs", "/tmp", "tmpfs", flags, "size=%d,mode=1777" % size)
    mount("tmpfs", "/dev/shm", "tmpfs", flags, "size=%d,mode=1777" % size)
    if cgroup:
        for root in cgroup["mounts"]:
            _check(_libc.umount2(root.encode(), MNT_DETACH), "umount %s" % root)
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _libc.sethostname(b"sandbox", 7)
    loopback_up()
    drop_privileges(uid)
    harness.set_dumpable(False)  # a test process of the same uid can neither trace it nor open its fds
    os.setsid()
    os.chdir("/work")
    harness.serve_spawns(sock)
    os._exit(0)  # the judge closed its socket: the execution is over, and every process of it ends with this one


def loopback_up():
    """The execution's own network namespace has only lo, and it starts down."""
    import _socket
    sock = _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM)
    try:
        request = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(sock.fileno(), SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock.fileno(), SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | IFF_UP | IFF_RUNNING))
    finally:
        sock.close()


def clear_inheritable_capabilities():
    """Empties the inheritable set, which setresuid leaves as bubblewrap gave it (the fork server's caps)."""
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable of caps 0-31, then of 32-63
    if _libc.capget(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capget")
    data[2] = data[5] = 0
    if _libc.capset(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capset")


def bounding_set():
    """The capabilities in this process's bounding set (bubblewrap leaves only the server's few)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("CapBnd:"):
                    mask = int(line.split()[1], 16)
                    return [cap for cap in range(64) if mask >> cap & 1]
    except (OSError, ValueError):
        pass
    return list(range(64))


BOUNDING_SET = bounding_set()


def drop_privileges(uid):
    for cap in BOUNDING_SET:
        if _libc.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(cap), ctypes.c_ulong(0), ctypes.c_ulong(0),
                       ctypes.c_ulong(0)) != 0:
            break  # past the last capability this kernel knows
    clear_inheritable_capabilities()
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)  # from root to a non-zero uid: permitted and effective caps are cleared
    if os.getuid() != uid or os.geteuid() != uid:
        raise OSError("could not switch to uid %d" % uid)
    sandbox_seccomp.install(part="execution")  # on top of the server's part: the whole filter


if __name__ == "__main__":
    main()

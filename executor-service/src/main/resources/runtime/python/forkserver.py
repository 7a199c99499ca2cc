"""IterPref fork server: one long-lived process per executor worker, inside a bubblewrap sandbox.

bubblewrap (run by the root service, without a user namespace) gives this process a read-only
view of the system directories, no network, its own pid namespace, and only the capabilities the
service lists (SYS_ADMIN, SETUID, SETGID, SETPCAP, NET_ADMIN). It never runs untrusted code and
never holds a spec. For each execution it reads one small header frame from stdin (4-byte
big-endian length, then marshal: the execution's uid, deadline, tmpfs size and cgroup paths) and
forks a child that, still root:

  1. moves itself into the execution's cgroup (memory and pids limits for everything below it);
  2. enters fresh mount, pid, ipc, uts, network (loopback only) and cgroup namespaces;
  3. mounts fresh size-capped tmpfs on /work (owned by the execution's uid), /tmp and /dev/shm,
     and the execution's own memory cgroup read-only on /run/iterpref/memcg (the cgroup
     directories the server can write are unmounted from the execution's view);
  4. forks again, so the harness is pid 1 of the new pid namespace, mounts its /proc and brings
     up its loopback interface;
  5. drops every capability from the bounding set, all groups, switches to the execution's own
     unprivileged uid, sets no_new_privs and a new session, installs the system-call filter
     (libseccomp, see sandbox_seccomp.py);
  6. runs the harness's supervisor, which forks its spawner and only then reads the spec frame
     that follows the header on the same stdin.

Everything the execution writes is relayed to the service in D frames (type byte, 4-byte length,
bytes); when its last process is gone (or its deadline passed and it was killed, taking its pid
namespace with it) the server writes an X frame with the exit status and reads the next header.
"""

import ctypes
import fcntl
import marshal
import os
import select
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (after the path tweak: the server runs with -I)
import sandbox_seccomp  # noqa: E402
import json  # noqa: E402,F401  (loaded once here for every supervisor forked from this server)

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWPID = 0x00020000, 0x04000000, 0x08000000, 0x20000000
CLONE_NEWNET, CLONE_NEWCGROUP = 0x40000000, 0x02000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = (
    1, 2, 4, 8, 32, 4096, 0x4000, 0x40000)
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_CAPBSET_DROP = 1, 24
SIGKILL = 9
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP, IFF_RUNNING = 0x8913, 0x8914, 0x1, 0x40
MEMCG_VIEW = "/run/iterpref/memcg"
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


def main():
    sandbox_seccomp.prepare()
    # every execution is forked from here: objects that exist now never move between collector
    # generations again, so no child copies their pages just to scan them (copy-on-write and
    # exit teardown are most of an execution's kernel time)
    import gc
    gc.freeze()
    while True:
        header = read_frame(0)
        if header is None:
            return
        serve(header)


def read_frame(fd):
    size = harness.read_exact(fd, 4)
    if len(size) < 4:
        return None
    length = struct.unpack(">I", size)[0]
    if length > MAX_HEADER_BYTES:
        raise SystemExit("fork server: header frame of %d bytes" % length)
    return marshal.loads(harness.read_exact(fd, length))


def serve(header):
    """Runs one execution, relaying its output to the service as D frames, then an X frame.

    The execution never writes to the service's pipe itself: everything it writes is relayed in
    D frames, so nothing it prints can pass for the server's X frame, and the X frame is written
    only after every process of the execution is gone (its pid namespace died with its pid 1).
    """
    started = time.monotonic()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_end)
            os.dup2(write_end, 1)
            os.close(write_end)
            isolate_and_run(header)
        finally:
            os._exit(120)
    os.close(write_end)
    deadline = started + header["deadlineMs"] / 1000.0
    exceeded = not relay(read_end, deadline)
    if exceeded:
        os.kill(pid, SIGKILL)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    trailer = '{"code":%d,"deadlineExceeded":%s}' % (code, "true" if exceeded else "false")
    frame(b"X", trailer.encode())


def frame(kind, payload):
    data = memoryview(kind + struct.pack(">I", len(payload)) + payload)
    while data:
        data = data[os.write(1, data):]


def relay(fd, deadline):
    """Relays the execution's output until its last writer is gone; False at the deadline."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP)
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        if not poller.poll(int(remaining * 1000) + 1):
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return True
        frame(b"D", chunk)


def isolate_and_run(header):
    """In the forked child, still root: build the execution's sandbox, then run the harness in it.

    fd 0 stays the service's pipe: the harness reads its spec frame from it.
    """
    prctl(PR_SET_PDEATHSIG, SIGKILL)
    cgroup = header.get("cgroup")
    if cgroup:
        for procs in cgroup["procs"]:
            with open(procs, "w") as f:
                f.write("0")  # moves this process; everything it starts stays in the cgroup
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET
                         | CLONE_NEWCGROUP), "unshare")
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    uid = int(header["uid"])
    size = int(header["tmpfsBytes"])
    flags = MS_NOSUID | MS_NODEV
    mount("tmpfs", "/work", "tmpfs", flags, "size=%d,mode=0700,uid=%d,gid=%d" % (size, uid, uid))
    mount("tmpfs", "/tmp", "tmpfs", flags, "size=%d,mode=1777" % size)
    mount("tmpfs", "/dev/shm", "tmpfs", flags, "size=%d,mode=1777" % size)
    if cgroup:
        mount(cgroup["memcg"], MEMCG_VIEW, None, MS_BIND)
        mount(None, MEMCG_VIEW, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)
        for root in cgroup["mounts"]:
            _check(_libc.umount2(root.encode(), MNT_DETACH), "umount %s" % root)
    pid = os.fork()
    if pid != 0:
        os.close(0)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        os._exit(128 - code if code < 0 else code)  # a signal death as the shell shows it: 128 + signal
    # pid 1 of the execution's namespace
    prctl(PR_SET_PDEATHSIG, SIGKILL)
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _libc.sethostname(b"sandbox", 7)
    loopback_up()
    drop_privileges(uid)
    os.setsid()
    os.chdir("/work")
    harness.main([])


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


def drop_privileges(uid):
    for cap in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(cap), ctypes.c_ulong(0), ctypes.c_ulong(0),
                       ctypes.c_ulong(0)) != 0:
            break  # past the last capability this kernel knows
    clear_inheritable_capabilities()
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)  # from root to a non-zero uid: permitted and effective caps are cleared
    if os.getuid() != uid or os.geteuid() != uid:
        raise OSError("could not switch to uid %d" % uid)
    sandbox_seccomp.install()  # sets no_new_privs first


if __name__ == "__main__":
    main()

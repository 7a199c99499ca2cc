"""IterPref fork server: one long-lived process per executor worker, inside a bubblewrap sandbox.

bubblewrap (run by the root service, without a user namespace) gives this process a read-only
view of the system directories, no network but loopback, its own pid namespace, and only the
capabilities listed by the service (SYS_ADMIN, SETUID, SETGID, SETPCAP, KILL). It never runs
untrusted code. For each execution it reads one frame from stdin (4-byte big-endian length, then
the spec in marshal format) and forks a child that:

  1. enters fresh mount, pid, ipc and uts namespaces;
  2. mounts fresh size-capped tmpfs on /work (owned by the execution's uid), /tmp and /dev/shm;
  3. forks again, so the harness is pid 1 of the new pid namespace, and mounts its /proc;
  4. drops every capability from the bounding set, all groups, switches to the execution's own
     unprivileged uid (which clears the remaining capabilities), sets no_new_privs and a new
     session, installs the seccomp filter that refuses new user namespaces;
  5. runs the harness on the spec, which writes its events on stdout.

Everything the execution writes is relayed to the service in D frames (type byte, 4-byte length,
bytes); when its last process is gone (or its deadline passed and it was killed, taking its pid
namespace with it) the server writes an X frame with the exit code and waits for the next spec. An execution thus starts
from the server's already-initialised interpreter instead of a new one, while keeping what a
fresh bubblewrap sandbox would give it: its own namespaces, filesystem, uid and process limits.
"""

import ctypes
import marshal
import os
import select
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (after the path tweak: the server runs with -I)

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWPID = 0x00020000, 0x04000000, 0x08000000, 0x20000000
CLONE_NEWUSER = 0x10000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 0x4000, 0x40000
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP = 1, 24, 38, 22
SIGKILL = 9

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
    while True:
        header = read_exact(0, 4)
        if len(header) < 4:
            return
        spec = marshal.loads(read_exact(0, struct.unpack(">I", header)[0]))
        serve(spec)


def read_exact(fd, n):
    chunks = []
    while n > 0:
        chunk = os.read(fd, n)
        if not chunk:
            break
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def serve(spec):
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
            isolate_and_run(spec)
        finally:
            os._exit(120)
    os.close(write_end)
    deadline = started + spec["deadlineMs"] / 1000.0
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


def isolate_and_run(spec):
    """In the forked child, still root: build the execution's sandbox, then run the harness in it."""
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # the frame pipe is the server's, not the execution's
    prctl(PR_SET_PDEATHSIG, SIGKILL)
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS), "unshare")
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    uid = int(spec["uid"])
    size = int(spec["limits"]["maxFileBytes"])
    flags = MS_NOSUID | MS_NODEV
    mount("tmpfs", "/work", "tmpfs", flags, "size=%d,mode=0700,uid=%d,gid=%d" % (size, uid, uid))
    mount("tmpfs", "/tmp", "tmpfs", flags, "size=%d,mode=1777" % size)
    mount("tmpfs", "/dev/shm", "tmpfs", flags, "size=%d,mode=1777" % size)
    pid = os.fork()
    if pid != 0:
        _, status = os.waitpid(pid, 0)
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
    # pid 1 of the execution's namespace
    prctl(PR_SET_PDEATHSIG, SIGKILL)
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _libc.sethostname(b"sandbox", 7)
    drop_privileges(uid)
    os.setsid()
    os.chdir("/work")
    harness.run_spec(spec)


def drop_privileges(uid):
    for cap in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(cap), ctypes.c_ulong(0), ctypes.c_ulong(0),
                       ctypes.c_ulong(0)) != 0:
            break  # past the last capability this kernel knows
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)  # from root to a non-zero uid: permitted and effective caps are cleared
    if os.getuid() != uid or os.geteuid() != uid:
        raise OSError("could not switch to uid %d" % uid)
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    install_seccomp_filter()


# seccomp: refuse CLONE_NEWUSER to unshare/clone and clone3 entirely (glibc falls back to clone),
# as bubblewrap's --disable-userns does: user namespaces are a large kernel attack surface.
_SYSCALLS = {  # machine: (audit arch, unshare, clone, clone3)
    "x86_64": (0xC000003E, 272, 56, 435),
    "aarch64": (0xC00000B7, 97, 220, 435),
}


_ARCH = _SYSCALLS.get(os.uname().machine)


def install_seccomp_filter():
    arch = _ARCH
    if arch is None:
        return
    audit_arch, nr_unshare, nr_clone, nr_clone3 = arch
    ld_w_abs, jeq_k, jge_k, jset_k, ret_k = 0x20, 0x15, 0x35, 0x45, 0x06
    allow, eperm, enosys = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38
    kill = 0x80000000  # SECCOMP_RET_KILL_PROCESS: wrong architecture
    program = [
        (ld_w_abs, 0, 0, 4),                 # A = arch
        (jeq_k, 1, 0, audit_arch),
        (ret_k, 0, 0, kill),
        (ld_w_abs, 0, 0, 0),                 # A = syscall number
        (jge_k, 0, 1, 0x40000000),           # x32 system calls: refused
        (ret_k, 0, 0, eperm),
        (jeq_k, 0, 1, nr_clone3),
        (ret_k, 0, 0, enosys),
        (jeq_k, 1, 0, nr_unshare),
        (jeq_k, 0, 3, nr_clone),
        (ld_w_abs, 0, 0, 16),                # A = low 32 bits of the first argument (flags)
        (jset_k, 0, 1, CLONE_NEWUSER),
        (ret_k, 0, 0, eperm),
        (ret_k, 0, 0, allow),
    ]
    raw = b"".join(struct.pack("HBBI", code, jt, jf, k) for code, jt, jf, k in program)
    buf = ctypes.create_string_buffer(raw)
    fprog = struct.pack("HxxxxxxQ", len(program), ctypes.addressof(buf))
    fprog_buf = ctypes.create_string_buffer(fprog)
    _check(_libc.prctl(PR_SET_SECCOMP, ctypes.c_ulong(2), ctypes.c_void_p(ctypes.addressof(fprog_buf)),
                       ctypes.c_ulong(0), ctypes.c_ulong(0)), "seccomp")


if __name__ == "__main__":
    main()

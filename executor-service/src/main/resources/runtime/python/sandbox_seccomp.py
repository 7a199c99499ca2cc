"""System-call filter for untrusted Python code, built with libseccomp (through ctypes).

Trusted code calls install() once, before any untrusted code runs; the filter then holds for the
calling process, all its threads (TSYNC) and everything it forks or executes, and cannot be
removed. It follows what Docker's default seccomp profile refuses to an unprivileged container
(one without CAP_SYS_ADMIN, CAP_SYS_PTRACE, CAP_SYS_NICE, ...), written as a deny list:

  * every other system call is allowed (default action ALLOW);
  * the calls in DENIED fail with EPERM;
  * clone with any namespace flag fails with EPERM, clone3 with ENOSYS (so glibc falls back to
    clone, whose flags a filter can see: clone3 passes them in memory);
  * personality is allowed only for the values Docker allows (0, PER_LINUX32, UNAME26, both,
    and the 0xffffffff query);
  * socket(AF_VSOCK, ...) and socket(AF_NETLINK, ..., NETLINK_AUDIT) fail with EPERM;
  * only the native ABI is allowed: foreign architectures (int 0x80 on x86_64) and the x32 ABI
    kill the process (libseccomp does the architecture check);
  * no_new_privs is set by libseccomp when the filter is loaded.

Stricter than Docker on purpose (a sandboxed solution needs none of them): ptrace,
process_vm_readv/writev (Docker allows them on kernels >= 4.8), io_uring_* (allowed by older
Docker releases), chroot (Docker grants CAP_SYS_CHROOT), clock_adjtime and name_to_handle_at.

System-call names the kernel headers of libseccomp do not know for this architecture are
skipped. Any failure raises OSError: the caller must not run untrusted code then (fail closed).

prepare() builds the filter once (loading libseccomp and compiling the rules); install() loads
it. A fork server can prepare() in the parent and install() in each forked child, which then
pays only for the load.

The filter comes whole (part="full") or in two parts that together refuse exactly the same:
"server" refuses everything but SETUP, the few calls a fork server needs to build an execution's
namespaces; "execution" refuses SETUP. A fork server installs "server" in itself once, and each
execution's first process adds "execution" (a short program, quick to load) when it has built its
namespaces: filters stack, a call runs only if every filter allows it, and none can be removed.
Standard library only; runs under CPython >= 3.8 started with -I -S.
"""

import ctypes
import errno
import os

__all__ = ("DENIED", "SETUP", "LIBRARY", "PARTS", "prepare", "install")

LIBRARY = "libseccomp.so.2"

# Refused outright (EPERM). Names a given architecture lacks (vm86 on x86_64, umount on arm64)
# are skipped when the filter is built.
DENIED = (
    # accounting, keys, time
    "acct", "add_key", "keyctl", "request_key",
    "clock_adjtime", "clock_settime", "settimeofday", "stime",
    # kernel modules, kexec, reboot
    "create_module", "init_module", "finit_module", "delete_module", "get_kernel_syms",
    "query_module", "kexec_load", "kexec_file_load", "reboot",
    # mounts and namespaces (clone is filtered by its flags below)
    "mount", "umount", "umount2", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount",
    "fspick", "mount_setattr", "pivot_root", "chroot", "setns", "unshare",
    # file handles bypass path lookup (the "shocker" escape)
    "name_to_handle_at", "open_by_handle_at",
    # kernel attack surface no solution needs
    "bpf", "perf_event_open", "userfaultfd", "fanotify_init", "lookup_dcookie", "nfsservctl",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "quotactl", "quotactl_fd", "swapon", "swapoff", "syslog", "sysfs", "_sysctl", "uselib",
    "ustat", "vhangup", "sethostname", "setdomainname",
    # other processes' memory and file descriptors
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd", "process_madvise",
    # raw I/O and legacy modes
    "iopl", "ioperm", "vm86", "vm86old", "pciconfig_iobase", "pciconfig_read", "pciconfig_write",
    # NUMA policy (Docker: CAP_SYS_NICE only)
    "get_mempolicy", "set_mempolicy", "set_mempolicy_home_node", "mbind", "move_pages",
    "migrate_pages",
    # unimplemented on Linux, never used
    "afs_syscall", "tuxcall", "security", "getpmsg", "putpmsg", "vserver",
)

# what a fork server calls to build an execution's namespaces: refused by the "execution" part only
SETUP = ("mount", "umount2", "unshare", "setns", "sethostname")
PARTS = ("full", "server", "execution")

# libseccomp's ABI (seccomp.h, stable since 2.2)
_SCMP_ACT_KILL_PROCESS = 0x80000000
_SCMP_ACT_ALLOW = 0x7FFF0000
_SCMP_FLTATR_ACT_BADARCH = 2
_SCMP_FLTATR_CTL_NNP = 3
_SCMP_FLTATR_CTL_TSYNC = 4
_SCMP_FLTATR_CTL_OPTIMIZE = 8   # 2.5.0+: 2 = binary tree of syscall numbers
_SCMP_FLTATR_API_SYSRAWRC = 9   # 2.5.0+: report the kernel's errno instead of ECANCELED
_SCMP_CMP_EQ = 4
_SCMP_CMP_GT = 6
_SCMP_CMP_MASKED_EQ = 7

_CLONE_NAMESPACE_FLAGS = (
    0x00020000,  # CLONE_NEWNS
    0x02000000,  # CLONE_NEWCGROUP
    0x04000000,  # CLONE_NEWUTS
    0x08000000,  # CLONE_NEWIPC
    0x10000000,  # CLONE_NEWUSER
    0x20000000,  # CLONE_NEWPID
    0x40000000,  # CLONE_NEWNET
)
_AF_NETLINK, _AF_VSOCK, _NETLINK_AUDIT = 16, 40, 9
_PR_GET_SECCOMP, _SECCOMP_MODE_FILTER = 21, 2
_PR_SET_SECCOMP, _PR_SET_NO_NEW_PRIVS = 22, 38

# personality values Docker allows: PER_LINUX, PER_LINUX32, UNAME26, UNAME26|PER_LINUX32, query
PERSONALITY_ALLOWED = (0x0, 0x8, 0x20000, 0x20008, 0xFFFFFFFF)


def _SCMP_ACT_ERRNO(code):
    return 0x00050000 | (code & 0xFFFF)


class _ArgCmp(ctypes.Structure):
    """struct scmp_arg_cmp: one comparison of a system call argument."""
    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),          # enum scmp_compare
        ("datum_a", ctypes.c_uint64),  # the mask for MASKED_EQ, else the value
        ("datum_b", ctypes.c_uint64),  # the value for MASKED_EQ
    ]


def personality_rules():
    """The (op, datum_a, datum_b) comparisons of arg 0 that make personality fail.

    Each libseccomp rule may compare an argument only once, so "not one of the allowed values"
    is written as a union of single comparisons, none of which matches an allowed value:

      * anything above 32 bits (the kernel reads an unsigned int; Docker refuses these too);
      * for each bit b other than 3 and 17: b set and a neighbour (b-1 or b+1, mod 32) clear.
        Such a rule cannot match 0, 8, 0x20000 or 0x20008 (b is set) nor 0xffffffff (a bit is
        clear). Every other 32-bit value x has a maximal run of set bits holding a bit outside
        {3, 17}, with a clear bit on each side (x is not all ones); one of the run's two ends is
        outside {3, 17}, and the rule for that end and its clear neighbour matches, unless the
        run is exactly bits 3..17 or bits 17..31,0..3 and x has no other set bits;
      * those two values, 0x0003fff8 and 0xfffe000f, compared for equality.
    """
    rules = [(_SCMP_CMP_GT, 0xFFFFFFFF, 0)]
    for bit in range(32):
        if bit in (3, 17):
            continue
        for neighbour in ((bit - 1) % 32, (bit + 1) % 32):
            rules.append((_SCMP_CMP_MASKED_EQ, (1 << bit) | (1 << neighbour), 1 << bit))
    rules.append((_SCMP_CMP_EQ, 0x0003FFF8, 0))
    rules.append((_SCMP_CMP_EQ, 0xFFFE000F, 0))
    return rules


class _Filter:
    """A built libseccomp context, kept (with its library) until loaded."""

    def __init__(self, library, deny_errno, part):
        if part not in PARTS:
            raise ValueError("seccomp: part must be one of %s, not %r" % (PARTS, part))
        self.library = library
        self.deny_errno = deny_errno
        self.part = part
        try:
            lib = ctypes.CDLL(library, use_errno=True)
        except OSError as e:
            raise OSError(errno.ENOENT, "seccomp: cannot load libseccomp (%s): %s" % (library, e)) from None
        _declare(lib)
        self.lib = lib
        self._program = None
        self.ctx = lib.seccomp_init(_SCMP_ACT_ALLOW)
        if not self.ctx:
            raise OSError(errno.ENOMEM, "seccomp: seccomp_init failed")
        self._build()

    def _check(self, rc, what):
        if rc < 0:
            raise OSError(-rc, "seccomp: %s failed: %s" % (what, os.strerror(-rc)))

    def _syscall(self, name, required=False):
        number = self.lib.seccomp_syscall_resolve_name(name.encode())
        if number < 0 and required:  # negative: unknown, or a pseudo-number for another arch
            raise OSError(errno.ENOSYS, "seccomp: libseccomp does not know the system call %s" % name)
        return number

    def _rule(self, action, name, comparisons=(), required=False):
        number = self._syscall(name, required)
        if number < 0:
            return
        args = (_ArgCmp * max(1, len(comparisons)))(*[_ArgCmp(*c) for c in comparisons])
        self._check(self.lib.seccomp_rule_add_array(self.ctx, action, number, len(comparisons), args),
                    "rule for %s %s" % (name, list(comparisons)))

    def _build(self):
        lib, ctx = self.lib, self.ctx
        self._check(lib.seccomp_attr_set(ctx, _SCMP_FLTATR_ACT_BADARCH, _SCMP_ACT_KILL_PROCESS),
                    "setting the bad-architecture action")
        self._check(lib.seccomp_attr_set(ctx, _SCMP_FLTATR_CTL_NNP, 1), "setting no_new_privs")
        self._check(lib.seccomp_attr_set(ctx, _SCMP_FLTATR_CTL_TSYNC, 1), "setting thread sync")
        # optional refinements (libseccomp >= 2.5): a failure here leaves a correct filter
        lib.seccomp_attr_set(ctx, _SCMP_FLTATR_CTL_OPTIMIZE, 2)
        lib.seccomp_attr_set(ctx, _SCMP_FLTATR_API_SYSRAWRC, 1)

        deny = _SCMP_ACT_ERRNO(self.deny_errno)
        for name in DENIED:
            if self.part == "full" or (name in SETUP) == (self.part == "execution"):
                self._rule(deny, name)
        if self.part == "execution":
            return
        # clone(flags, ...): the flags are argument 0 except on s390, where they are argument 1
        flags_arg = 1 if _native_arch_is_s390(lib) else 0
        for flag in _CLONE_NAMESPACE_FLAGS:
            self._rule(deny, "clone", [(flags_arg, _SCMP_CMP_MASKED_EQ, flag, flag)], required=True)
        self._rule(_SCMP_ACT_ERRNO(errno.ENOSYS), "clone3")
        for op, a, b in personality_rules():
            self._rule(deny, "personality", [(0, op, a, b)], required=True)
        self._rule(deny, "socket", [(0, _SCMP_CMP_EQ, _AF_VSOCK, 0)], required=True)
        self._rule(deny, "socket", [(0, _SCMP_CMP_EQ, _AF_NETLINK, 0), (2, _SCMP_CMP_EQ, _NETLINK_AUDIT, 0)],
                   required=True)

    def program(self):
        """The filter as BPF, generated by libseccomp once: loading it then costs a system call, not a
        regeneration of the program in every execution."""
        if self._program is None:
            read_end, write_end = os.pipe()
            try:
                self._check(self.lib.seccomp_export_bpf(self.ctx, write_end), "seccomp_export_bpf")
                os.close(write_end)
                write_end = None
                chunks = []
                while True:
                    chunk = os.read(read_end, 1 << 16)
                    if not chunk:
                        break
                    chunks.append(chunk)
                self._program = b"".join(chunks)
            finally:
                os.close(read_end)
                if write_end is not None:
                    os.close(write_end)
            if not self._program or len(self._program) % 8:
                raise OSError(errno.EINVAL, "seccomp: libseccomp exported %d bytes of BPF" % len(self._program))
        return self._program

    def load(self):
        """Loads the exported program (no_new_privs first), as seccomp_load would, into this
        single-threaded process; the kernel must then report filter mode."""
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), ctypes.c_ulong(0), ctypes.c_ulong(0),
                      ctypes.c_ulong(0)) != 0:
            raise OSError(ctypes.get_errno(), "seccomp: cannot set no_new_privs")
        program = self.program()
        buffer = ctypes.create_string_buffer(program, len(program))
        fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
        if libc.prctl(_PR_SET_SECCOMP, ctypes.c_ulong(_SECCOMP_MODE_FILTER), ctypes.byref(fprog),
                      ctypes.c_ulong(0), ctypes.c_ulong(0)) != 0:
            raise OSError(ctypes.get_errno(), "seccomp: the kernel refused the filter")
        # belt and braces: the kernel must now report filter mode for this thread
        mode = ctypes.CDLL(None, use_errno=True).prctl(_PR_GET_SECCOMP, 0, 0, 0, 0)
        if mode != _SECCOMP_MODE_FILTER:
            raise OSError(errno.EPERM, "seccomp: filter loaded but the kernel reports mode %d" % mode)


class _SockFprog(ctypes.Structure):
    """struct sock_fprog: the number of BPF instructions and a pointer to them."""
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _declare(lib):
    """Explicit signatures: ctypes would otherwise pass pointers and 64-bit values as int."""
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_attr_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32]
    lib.seccomp_attr_set.restype = ctypes.c_int
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_syscall_resolve_name.restype = ctypes.c_int
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                           ctypes.POINTER(_ArgCmp)]
    lib.seccomp_rule_add_array.restype = ctypes.c_int
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_load.restype = ctypes.c_int
    lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.seccomp_export_bpf.restype = ctypes.c_int
    lib.seccomp_arch_native.argtypes = []
    lib.seccomp_arch_native.restype = ctypes.c_uint32


def _native_arch_is_s390(lib):
    # SCMP_ARCH_S390 / S390X are AUDIT_ARCH_S390 (0x16) and AUDIT_ARCH_S390X (0x80000016)
    return lib.seccomp_arch_native() in (0x00000016, 0x80000016)


_prepared = {}


def prepare(library=LIBRARY, deny_errno=errno.EPERM, part="full"):
    """Builds the filter (or one part of it) and its BPF program, once per process and arguments,
    without loading it.

    deny_errno exists for tests, which use a distinctive value to tell the filter's refusals from
    the kernel's own permission checks; the sandbox uses the default, EPERM, as Docker does.
    """
    key = (library, deny_errno, part)
    if key not in _prepared:
        built = _Filter(library, deny_errno, part)
        built.program()
        _prepared[key] = built
    return _prepared[key]


def install(library=LIBRARY, deny_errno=errno.EPERM, part="full"):
    """Loads the filter (or one part of it) into the calling process, building it first unless
    prepare() did."""
    prepare(library, deny_errno, part).load()

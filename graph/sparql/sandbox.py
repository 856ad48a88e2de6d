"""Limits a SPARQL worker process puts on itself before it answers anything: memory, and no network.

Oxigraph evaluates `SERVICE <url>` by sending the query to that URL with its
own HTTP client, and offers no switch to turn that off. The endpoint refuses
such queries by reading them (`collabgraph.graph.sparql.guard`); as a second wall that does
not depend on reading SPARQL the way Oxigraph does, a worker that is not
allowed to federate asks the kernel (a seccomp filter) to refuse it any IPv4
or IPv6 socket. The filter is inherited by nothing (workers start no children)
and cannot be lifted by the process that installed it.

Memory: RLIMIT_AS caps the worker's address space, so a query that builds a
huge sort or string fails inside the worker (Rust aborts, Python raises
MemoryError) instead of taking the machine's memory; the pool replaces it.
"""
from __future__ import annotations

import ctypes
import errno
import platform
import resource
import socket
import struct

# linux/prctl.h, linux/seccomp.h, linux/filter.h, linux/audit.h
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_X32_SYSCALL_BIT = 0x40000000
#: machine -> (AUDIT_ARCH_*, number of the socket system call)
_ARCH = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}


class SandboxUnavailable(RuntimeError):
    """This system cannot install the no-network filter (not Linux, another architecture, or seccomp blocked)."""


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space at `megabytes` MB (it can only be lowered afterwards)."""
    cap = megabytes << 20
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def forbid_network() -> None:
    """From now on, socket(AF_INET or AF_INET6, ...) fails with EACCES in this process and its threads."""
    arch = _ARCH.get(platform.machine())
    if arch is None:
        raise SandboxUnavailable(f"no seccomp filter for the {platform.machine()} architecture")
    audit_arch, nr_socket = arch
    program = [  # (code, jump if true, jump if false, k); seccomp_data: nr at 0, arch at 4, args[0] at 16
        (_LD_W_ABS, 0, 0, 4),
        (_JEQ_K, 0, 7, audit_arch),        # another ABI (i386 on x86_64): refused, the worker never uses one
        (_LD_W_ABS, 0, 0, 0),
        (_JGE_K, 5, 0, _X32_SYSCALL_BIT),  # x32 numbers on x86_64: refused likewise
        (_JEQ_K, 0, 3, nr_socket),
        (_LD_W_ABS, 0, 0, 16),
        (_JEQ_K, 2, 0, socket.AF_INET),
        (_JEQ_K, 1, 0, socket.AF_INET6),
        (_RET_K, 0, 0, _RET_ALLOW),
        (_RET_K, 0, 0, _RET_ERRNO | errno.EACCES),
    ]
    code = b"".join(struct.pack("=HBBI", *op) for op in program)
    buffer = ctypes.create_string_buffer(code, len(code))
    fprog = ctypes.create_string_buffer(struct.pack("@HP", len(program), ctypes.addressof(buffer)))
    libc = ctypes.CDLL(None, use_errno=True)
    if _prctl(libc, _PR_SET_NO_NEW_PRIVS, 1) != 0 or \
            _prctl(libc, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.addressof(fprog)) != 0:
        raise SandboxUnavailable(f"seccomp refused: {errno.errorcode.get(ctypes.get_errno(), '?')}")


def _prctl(libc, option: int, *args: int) -> int:
    values = [ctypes.c_ulong(a) for a in (*args, 0, 0, 0, 0)[:4]]
    return libc.prctl(ctypes.c_int(option), *values)

"""Entry point of the grader's worker processes; copied to ``<view root>/boot.py``.

``python -I boot.py --serve FD [--isolate]``
    the fork server: imports NumPy once, then for each request read from the UNIX socket ``FD``
    (JSON naming a view directory, a working directory and an environment, with three file
    descriptors: the command pipe, the message pipe and the output pipe) forks a worker. With
    ``--isolate`` (inside bubblewrap) each worker moves itself into the cgroups whose
    ``cgroup.procs`` come as extra descriptors, then gets namespaces of its own: a new user
    namespace (an unprivileged uid, no capabilities, ``no_new_privs``), a new pid namespace of
    which it is process 1 (so everything it starts dies with it), new mount, network, IPC and UTS
    namespaces, a private tmpfs as ``/tmp`` (home and working directory) and a read-only
    ``/proc`` of its own pid namespace only.
``python -I boot.py --worker VIEW CMD_FD MSG_FD``
    one worker, without a fork server.

This file imports nothing of ``ce_course``: the worker's code comes from the view directory
named in the request (see :mod:`ce_course.grading.view`).
"""

import json
import os
import select
import signal
import socket
import sys

_CLONE_NEWNS = 0x00020000
_CLONE_NEWUTS = 0x04000000
_CLONE_NEWIPC = 0x08000000
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWPID = 0x20000000
_CLONE_NEWNET = 0x40000000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 32, 4096, 0x4000, 1 << 18
_PR_SET_PDEATHSIG, _PR_CAPBSET_DROP, _PR_SET_NO_NEW_PRIVS = 1, 24, 38
_SANDBOX_UID = 1000


def _libc():
    import ctypes

    return ctypes, ctypes.CDLL(None, use_errno=True)


def _check(ctypes, result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _only_own_view(ctypes, libc, view):
    """Hide every other view of the root (another exercise's view keeps references that this
    one stubs): a read-only tmpfs over the root holding only ``view``, bound back in."""
    root = os.path.dirname(view)
    fd = os.open(view, os.O_PATH | os.O_DIRECTORY)
    try:
        flags = _MS_NOSUID | _MS_NODEV
        opts = b"size=64k,nr_inodes=16,mode=0755"
        _check(ctypes, libc.mount(b"tmpfs", root.encode(), b"tmpfs", flags, opts), "view root")
        os.mkdir(view)
        source = f"/proc/self/fd/{fd}".encode()
        _check(ctypes, libc.mount(source, view.encode(), None, _MS_BIND | _MS_REC, None), "view")
        ro = _MS_REMOUNT | _MS_RDONLY | flags
        _check(ctypes, libc.mount(None, root.encode(), None, ro, None), "view root read-only")
    finally:
        os.close(fd)


def _isolate(tmp_mb, held, cgroups, view):
    """In a forked child: new namespaces; returns in the grandchild (pid 1), never in the child."""
    ctypes, libc = _libc()
    uid, gid = os.getuid(), os.getgid()
    flags = _CLONE_NEWUSER | _CLONE_NEWNS | _CLONE_NEWPID | _CLONE_NEWNET
    _check(ctypes, libc.unshare(flags | _CLONE_NEWIPC | _CLONE_NEWUTS), "unshare")
    with open("/proc/self/setgroups", "w") as fh:
        fh.write("deny")
    with open("/proc/self/uid_map", "w") as fh:
        fh.write(f"{_SANDBOX_UID} {uid} 1")
    with open("/proc/self/gid_map", "w") as fh:
        fh.write(f"{_SANDBOX_UID} {gid} 1")
    _check(ctypes, libc.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None), "mount /")
    opts = f"size={int(tmp_mb)}m,nr_inodes=4096,mode=0755".encode()
    _check(ctypes, libc.mount(b"tmpfs", b"/tmp", b"tmpfs", _MS_NOSUID | _MS_NODEV, opts), "tmpfs")
    if os.path.isdir("/dev/shm"):  # private too: no channel between concurrent submissions
        shm = b"size=16m,nr_inodes=256,mode=1777"
        _check(
            ctypes, libc.mount(b"tmpfs", b"/dev/shm", b"tmpfs", _MS_NOSUID | _MS_NODEV, shm), "shm"
        )
    _only_own_view(ctypes, libc, view)
    pid = os.fork()
    if pid:  # the child: waits for the worker (process 1 of the new pid namespace)
        for fd in (*held, 0, 1, 2):
            try:
                os.close(fd)
            except OSError:
                pass
        while True:
            try:
                _, status = os.waitpid(pid, 0)
                break
            except InterruptedError:
                continue
        code = os.waitstatus_to_exitcode(status)
        os._exit(128 - code if code < 0 else min(code, 127))
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    for fd in cgroups:  # the grader's per-submission cgroups: move in before anything runs
        os.write(fd, b"0")
        os.close(fd)
    proc = _MS_RDONLY | _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
    _check(ctypes, libc.mount(b"proc", b"/proc", b"proc", proc, None), "mount /proc")
    for cap in range(64):
        libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0)

    class Header(ctypes.Structure):
        _fields_ = (("version", ctypes.c_uint32), ("pid", ctypes.c_int))

    class Data(ctypes.Structure):
        _fields_ = tuple((n, ctypes.c_uint32) for n in ("effective", "permitted", "inheritable"))

    _check(ctypes, libc.capset(ctypes.byref(Header(0x20080522, 0)), (Data * 2)()), "capset")
    _check(ctypes, libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    os.makedirs("/tmp/mpl", exist_ok=True)
    os.chdir("/tmp")


def _run_worker(view, cmd_fd, msg_fd):
    sys.path.insert(0, view)
    from ce_course.grading.worker import child_main

    child_main(cmd_fd, msg_fd)


def _serve(fd, isolate):
    import numpy  # noqa: F401  (what the fork server is for)

    sock = socket.socket(fileno=fd)
    children = {}  # pid -> request id

    def report(message):
        try:
            sock.send(json.dumps(message).encode())
        except OSError:
            pass

    while True:
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                children.clear()
                break
            if pid == 0:
                break
            rid = children.pop(pid, None)
            code = os.waitstatus_to_exitcode(status)
            if isolate and code >= 128:
                code = 128 - code
            report({"exit": rid, "code": code})
        ready, _, _ = select.select([sock], [], [], 0.05)
        if not ready:
            continue
        try:
            data, fds, _, _ = socket.recv_fds(sock, 1 << 20, 6)
        except OSError:
            break
        if not data:
            break
        try:
            request = json.loads(data)
        except ValueError:
            request = {}
        if "kill" in request:
            for f in fds:
                os.close(f)
            for pid, rid in list(children.items()):
                if rid == request["kill"]:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            continue
        if not 3 <= len(fds) <= 5 or "id" not in request:
            for f in fds:
                os.close(f)
            continue
        pid = os.fork()
        if pid == 0:
            code = 70
            try:
                sock.close()
                cmd_fd, msg_fd, out_fd, *cgroups = fds
                os.setsid()
                os.dup2(out_fd, 1)
                os.dup2(out_fd, 2)
                os.close(out_fd)
                if isolate:
                    _isolate(request.get("tmp_mb", 256), (cmd_fd, msg_fd), cgroups, request["view"])
                else:
                    os.chdir(request["cwd"])
                os.environ.clear()
                os.environ.update(request["env"])
                _run_worker(request["view"], cmd_fd, msg_fd)
                code = 0
            except BaseException as exc:
                try:
                    os.write(2, f"ce-course worker could not start: {exc!r}\n".encode())
                except OSError:
                    pass
            finally:
                os._exit(code)
        for f in fds:
            os.close(f)
        children[pid] = request["id"]
        report({"id": request["id"], "pid": pid})
    os._exit(0)


def main(argv):
    if len(argv) >= 2 and argv[0] == "--serve":
        _serve(int(argv[1]), "--isolate" in argv[2:])
    elif len(argv) == 4 and argv[0] == "--worker":
        _run_worker(argv[1], int(argv[2]), int(argv[3]))
        os._exit(0)
    else:
        sys.stderr.write("usage: boot.py --serve FD [--isolate] | --worker VIEW CMD_FD MSG_FD\n")
        os._exit(2)


if __name__ == "__main__":
    main(sys.argv[1:])

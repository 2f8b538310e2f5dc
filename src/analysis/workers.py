"""The processes a build starts: workers that die with the build, kernels that die with their worker, and a
record of both, so that a build killed outright (SIGKILL, a closed terminal) leaves nothing running that the
next build does not find.

A worker asks Linux (prctl PR_SET_PDEATHSIG) for a SIGTERM when the build process dies, which unwinds it like
Ctrl-C and shuts its kernel down; a kernel watches its worker itself (ipykernel exits when the process named by
JPY_PARENT_PID, which jupyter_client sets, is gone). Each records its pid in the build's process folder with its
start time, so that a leftover is recognised by more than a process id, which Linux reuses.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

DEFAULT_TIMEOUT = 600  # seconds a cell may run (--timeout): the project's slowest notebook takes seconds in all
PR_SET_PDEATHSIG = 1  # linux/prctl.h
# A Unix socket's path holds at most 107 bytes on Linux; a kernel's are `<folder>/kernel-<n>`.
SOCKET_PATH_LIMIT = 107
SOCKET_NAME = "kernel"
SOCKET_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm")  # short, writable on any Linux: where sockets go when TMPDIR is long


class CellTimedOut(Exception):
    """A cell ran longer than --timeout and was stopped. Raised in a worker and sent back to the build, so it
    carries what `build.describe_failure` reads (exec_count, ename, evalue) as plain, picklable arguments."""

    ename = "CellTimeout"

    def __init__(self, exec_count: int | None, seconds: float):
        super().__init__(exec_count, seconds)
        self.exec_count = exec_count
        self.evalue = f"still running after --timeout {seconds:g} s, so it was stopped"


# Set by `worker_started` in each worker: the build's pid, and where the worker's kernel records itself; and
# whether a notebook is running in it now.
_build_pid: int | None = None
_records: Path | None = None
_running = False


def die_with_parent(signal_number: int = signal.SIGTERM) -> None:
    """Ask Linux to send `signal_number` to this process when its parent dies (nothing elsewhere)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal_number), 0, 0, 0)


def process_start_time(pid: int) -> str | None:
    """When a process started (clock ticks since boot, from /proc), None when it is not running: with the pid,
    it names one process, never a later one that reuses the number."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    return stat.rpartition(")")[2].split()[19]  # field 22; the name before ")" may hold spaces


def record_process(records: Path, pid: int, role: str) -> None:
    started = process_start_time(pid)
    if started is not None:
        records.mkdir(parents=True, exist_ok=True)
        (records / str(pid)).write_text(f"{started} {role}\n", encoding="utf-8")


def leftover_processes(records: Path) -> list[tuple[int, str]]:
    """(pid, role) of the recorded processes still running, each the very process recorded."""
    found = []
    if not records.is_dir() or records.is_symlink():
        return found
    for entry in sorted(records.iterdir()):
        if not entry.name.isdigit() or not entry.is_file():
            continue
        started, _, role = entry.read_text(encoding="utf-8", errors="replace").strip().partition(" ")
        if process_start_time(int(entry.name)) == started:
            found.append((int(entry.name), role or "process"))
    return found


def forget_finished(records: Path) -> None:
    """Drop the records of processes that have ended (all of them, once a build's workers are joined)."""
    running = {pid for pid, _ in leftover_processes(records)}
    if records.is_dir() and not records.is_symlink():
        for entry in records.iterdir():
            if not (entry.name.isdigit() and int(entry.name) in running):
                entry.unlink(missing_ok=True)
        if not any(records.iterdir()):
            records.rmdir()


def stop_leftovers(records: Path) -> list[str]:
    """Kill what a killed build left running (its processes only, by recorded pid and start time), forget the
    records, and say what was stopped, one line each."""
    done = []
    for pid, role in leftover_processes(records):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue
        done.append(f"stopped {role} (pid {pid}), left running by a build that was killed")
    if records.is_dir() and not records.is_symlink():
        for entry in records.iterdir():
            entry.unlink(missing_ok=True)
        records.rmdir()
    return done


def worker_started(build_pid: int, records: str, matplotlib_dir: str) -> None:
    """In each worker, first: die with the build, record itself, and give kernels the build's own matplotlib
    folder, so that outputs never depend on HOME (a read-only HOME makes matplotlib warn, with a random path,
    into the notebook)."""
    from .build import skip_iri_grammar

    global _build_pid, _records
    signal.signal(signal.SIGTERM, _on_sigterm)
    die_with_parent(signal.SIGTERM)
    _build_pid, _records = build_pid, Path(records)
    exit_if_orphaned()  # the build died before the request above was made
    record_process(_records, os.getpid(), "worker")
    os.environ["MPLCONFIGDIR"] = matplotlib_dir
    skip_iri_grammar()


def _on_sigterm(signal_number: int, frame) -> None:
    """SIGTERM (from the build, or from Linux when the build died) unwinds a running notebook like Ctrl-C, so that
    papermill shuts its kernel down on the way out; an idle worker of a dead build just ends."""
    from .build import Interrupted

    if not _running:
        exit_if_orphaned()
    raise Interrupted(signal_number)


@contextmanager
def notebook_running():
    """While a notebook runs in this worker: a private folder for its kernel's sockets, removed afterwards. If the
    build died meanwhile (its SIGTERM unwound the notebook), the worker ends there."""
    global _running
    folder = socket_folder()
    _running = True
    try:
        yield folder
    finally:
        _running = False
        shutil.rmtree(folder, ignore_errors=True)
        exit_if_orphaned()


def exit_if_orphaned() -> None:
    """End this worker once the build is gone. The SIGTERM of its death unwinds a running notebook (papermill
    shuts the kernel down), but then the worker would wait for its next task forever: it holds both ends of
    the task queue's pipe, so it never sees the end of it."""
    if _build_pid is not None and os.getppid() != _build_pid:
        os._exit(128 + signal.SIGTERM)


def socket_folder() -> str:
    """A new private folder (mode 700) for one kernel's sockets, with a path short enough for a Unix socket:
    the temporary folder when TMPDIR is short, else the first short system one."""
    longest = len(os.sep + "k-12345678" + os.sep + SOCKET_NAME + "-99")
    for base in (tempfile.gettempdir(), *SOCKET_FOLDERS):
        if len(os.fsencode(base)) + longest <= SOCKET_PATH_LIMIT and os.access(base, os.W_OK | os.X_OK):
            try:
                return tempfile.mkdtemp(prefix="k-", dir=base)
            except OSError:
                continue
    raise OSError(f"no folder for the kernel's sockets: TMPDIR ({tempfile.gettempdir()}) is too long for a Unix "
                  f"socket path ({SOCKET_PATH_LIMIT} bytes) and none of {', '.join(SOCKET_FOLDERS)} is writable")


def recording_kernel_manager() -> type:
    """A jupyter_client kernel manager that records the kernel's pid with the worker's (made on demand, so that
    the build itself never imports jupyter_client)."""
    from jupyter_client.manager import AsyncKernelManager

    class RecordingKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            await super()._async_launch_kernel(kernel_cmd, **kw)
            pid = getattr(self.provisioner, "pid", None)
            if _records is not None and pid:
                record_process(_records, pid, "kernel")

    return RecordingKernelManager

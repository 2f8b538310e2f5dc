"""The papermill pipeline: validate, run the notebooks that changed side by side, publish atomically.

A build never damages what it replaces: notebooks run into a staging folder and the output folder is
swapped only when every notebook succeeded. Each run is keyed by a hash of its notebook's code, the data,
the package's code, the locked dependencies and its parameters, so an unchanged run is not executed again.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import glob
import hashlib
import json
import math
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from . import paths
from .notebook_files import (
    PATH_PARAMETERS,
    cell_source,
    clean_executed,
    declared_parameters,
    notebook_text,
    read_notebook,
    source_digest,
    write_notebook,
)
from .schema import populations, table_files
from .validation import read_dataset
from .workers import (
    DEFAULT_TIMEOUT,
    SOCKET_NAME,
    CellTimedOut,
    forget_finished,
    notebook_running,
    recording_kernel_manager,
    stop_leftovers,
    worker_started,
)

# The build's record, committed with the outputs: per run its input key and files, the site's key, and the
# SHA-256 of every file it published and of the notebooks whose stored outputs it wrote. A test compares it with
# the committed inputs and files, so that outputs left stale by an edit without `make figures` fail CI.
STATE_FILE = "build-manifest.json"
# Parameters a user may set on the command line, with the values each allows (None: any text).
ALLOWED_PARAMETERS: dict[str, tuple[str, ...] | None] = {"population": populations()}
PER_POPULATION = "population"


class BuildError(Exception):
    """A build that must stop; the message says what to fix."""


@dataclass
class Run:
    """One execution of one notebook with one set of parameters."""

    name: str
    notebook: Path
    parameters: dict[str, object]
    is_default: bool  # parameters equal the notebook's own defaults: its outputs may be stored in it
    key: str = ""
    selected: bool = True  # False: left out by a `-p` filter, so its previous outputs are kept as they are
    products: list[str] = field(default_factory=list)


def _hash_files(files: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


SITE_CODE = ("site", "site.py")  # the site's package (or module): re-renders pages, never re-runs a notebook
NOT_RUN_INPUTS = ("__main__.py", "dictionary.py")  # the command line and the dictionary writer


def _package_files() -> list[Path]:
    package = Path(__file__).resolve().parent
    return [path for path in package.rglob("*") if path.is_file() and "__pycache__" not in path.parts]


def _is_site_code(path: Path) -> bool:
    relative = path.relative_to(Path(__file__).resolve().parent)
    return relative.parts[0] in SITE_CODE


def code_digest() -> str:
    """What every notebook run depends on: the package's code less the site and the command line, the schema
    and the lock file. A change to the site's templates therefore re-renders pages without running kernels."""
    files = [path for path in _package_files() if path.suffix == ".py" and not _is_site_code(path)
             and path.name not in NOT_RUN_INPUTS]
    files.append(paths.DATA_DIR / paths.SCHEMA_FILE)
    lock = paths.PROJECT_ROOT / "requirements.lock"
    if lock.exists():
        files.append(lock)
    return _hash_files(files, paths.PROJECT_ROOT)


def site_digest(runs: list[Run], data_dir: Path) -> str:
    """What the site depends on: its own code and files, the data and the documents it publishes with the data,
    and every run it shows."""
    site_files = [path for path in _package_files() if _is_site_code(path)]
    digest = hashlib.sha256(_hash_files(site_files, paths.PROJECT_ROOT).encode())
    digest.update(data_digest(data_dir).encode())
    documents = [data_dir / name for name in paths.DATA_DOCUMENTS if (data_dir / name).is_file()]
    digest.update(_hash_files(documents, data_dir).encode())
    for run in sorted(runs, key=lambda run: run.name):
        digest.update(f"{run.name}:{run.key}".encode())
    return digest.hexdigest()


def data_digest(data_dir: Path) -> str:
    """The tables the contract names, and nothing else: a stray file in data/ neither reruns nor is published."""
    return _hash_files([data_dir / name for name in table_files() if (data_dir / name).is_file()], data_dir)


def extra_data_files(data_dir: Path) -> list[str]:
    """Files in the data folder that are neither a table of the contract nor a document of the dataset."""
    known = {*table_files(), *paths.DATA_DOCUMENTS, paths.SCHEMA_FILE}
    return sorted(entry.name for entry in data_dir.iterdir()
                  if entry.is_file() and not entry.name.startswith(".") and entry.name not in known)


def parse_parameter_options(options: list[str]) -> dict[str, str]:
    """`-p name=value` options, refused with the allowed names and values when unknown, invalid or repeated."""
    chosen: dict[str, str] = {}
    for option in options:
        name, separator, value = option.partition("=")
        if not separator:
            raise BuildError(f"parameter {option!r} must be written name=value")
        if name not in ALLOWED_PARAMETERS:
            raise BuildError(f"unknown parameter {name!r}; parameters that can be set: "
                             + ", ".join(sorted(ALLOWED_PARAMETERS)))
        if name in chosen:
            raise BuildError(f"parameter {name!r} is given twice ({name}={chosen[name]}, {name}={value}): "
                             "give it once")
        allowed = ALLOWED_PARAMETERS[name]
        if allowed is not None and value not in allowed:
            raise BuildError(f"parameter {name!r} cannot be {value!r}; allowed values: " + ", ".join(allowed))
        chosen[name] = value
    return chosen


def plan_runs(notebooks_dir: Path, data_dir: Path, chosen: dict[str, str]) -> list[Run]:
    """Every run of the build: one per notebook, or one per population for notebooks that take one; runs that
    `chosen` parameters leave out are planned too, unselected, so that their outputs are kept."""
    notebooks = sorted(notebooks_dir.glob("[0-9][0-9]-*.ipynb"))
    if not notebooks:
        raise BuildError(f"no notebooks named NN-*.ipynb in {notebooks_dir}")
    shared = code_digest() + data_digest(data_dir)
    runs = []
    for notebook_path in notebooks:
        notebook = read_notebook(notebook_path)
        defaults = declared_parameters(notebook)
        missing = [name for name in PATH_PARAMETERS if name not in defaults]
        if missing:
            raise BuildError(f"{notebook_path.name}: its parameters cell lacks {', '.join(missing)}")
        if PER_POPULATION in defaults:
            variants = [(f"{notebook_path.stem}-{population}", {PER_POPULATION: population})
                        for population in ALLOWED_PARAMETERS[PER_POPULATION]]
        else:
            variants = [(notebook_path.stem, {})]
        for name, values in variants:
            parameters = {"data_dir": str(data_dir.resolve()), **values}
            is_default = all(defaults.get(key) == value for key, value in values.items())
            digest = hashlib.sha256(
                (shared + source_digest(notebook) + json.dumps(values, sort_keys=True)).encode()
            ).hexdigest()
            selected = all(values.get(key, wanted) == wanted for key, wanted in chosen.items())
            runs.append(Run(name, notebook_path, parameters, is_default, key=digest, selected=selected))
    return runs


def execute_run(notebook: str, run_dir: str, name: str, parameters: dict, cwd: str, timeout: float) -> None:
    """Execute one notebook in its own kernel, then clean it; runs in a worker process.

    Pages are rendered afterwards, all at once, by Sphinx (`site.render_site`).
    """
    import papermill
    from nbclient.exceptions import CellTimeoutError
    from traitlets.config import Config

    folder = Path(run_dir)
    raw = folder / "raw" / f"{name}.ipynb"
    # The kernel inherits this worker's stderr: send its start-up chatter to a log kept with the raw notebook.
    with open(folder / "raw" / f"{name}.kernel.log", "w", encoding="utf-8") as log:
        os.dup2(log.fileno(), 2)
    # The kernel talks over Unix sockets in a private folder, not TCP ports: workers that each pick a "free" port
    # at the same moment can pick the same one, and then a kernel dies on start (papermill issue 511). Its
    # connection file goes there too, so that nothing depends on HOME.
    with notebook_running() as sockets:
        kernel = {"transport": "ipc", "ip": os.path.join(sockets, SOCKET_NAME),
                  "connection_file": os.path.join(sockets, "kernel.json")}
        try:
            papermill.execute_notebook(
                notebook, str(raw), parameters={**parameters, "out_dir": run_dir},
                kernel_name=paths.KERNEL_NAME, cwd=cwd, progress_bar=False, log_output=False,
                execution_timeout=timeout, config=Config({"KernelManager": kernel}),
                kernel_manager_class=recording_kernel_manager(),
            )
        except CellTimeoutError:
            raise CellTimedOut(_last_started(raw), timeout) from None
    shown = {key: value for key, value in parameters.items() if key not in PATH_PARAMETERS}
    cleaned = folder / "notebooks" / f"{name}.ipynb"
    write_notebook(clean_executed(read_notebook(raw), shown), cleaned)


def _last_started(executed: Path) -> int | None:
    """The execution count of the last cell that started: the one running when a timeout stopped the kernel."""
    if not executed.exists():
        return None
    counts = [cell.get("execution_count") for cell in read_notebook(executed)["cells"] if cell["cell_type"] == "code"]
    started = [count for count in counts if count is not None]
    return started[-1] if started else None


class Progress:
    """A one-line live display on a terminal, plain lines in logs (CI)."""

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.stream = total, 0, stream
        self.live = stream.isatty() and os.environ.get("CI", "") == ""
        self.running: list[str] = []

    def _show(self) -> None:
        if self.live:
            text = f"[{self.done}/{self.total}] running: {', '.join(self.running) or '-'}"
            self.stream.write("\r\033[K" + text[:150])
            self.stream.flush()

    def started(self, name: str) -> None:
        self.running.append(name)
        if not self.live:
            print(f"build: started {name}", file=self.stream, flush=True)
        self._show()

    def finished(self, name: str, seconds: float, ok: bool) -> None:
        self.running.remove(name)
        self.done += 1
        line = f"build: {'finished' if ok else 'FAILED'} {name} in {seconds:.1f} s ({self.done}/{self.total})"
        if self.live:
            self.stream.write("\r\033[K" + line + "\n")
        else:
            print(line, file=self.stream, flush=True)
        self._show()

    def close(self) -> None:
        if self.live:
            self.stream.write("\r\033[K")
            self.stream.flush()


def describe_failure(error: BaseException, executed: Path) -> str:
    """Which cell failed and why, in one line, numbering the cell as nbval does (code cells of the notebook in
    notebooks/, from 0) and giving its execution count in the kept notebook, which also runs papermill's cell."""
    count = getattr(error, "exec_count", None)
    name = getattr(error, "ename", type(error).__name__)
    value = getattr(error, "evalue", str(error))
    if count is None:
        return f"before any cell ran: {name}: {value}"
    if not executed.exists():
        return f"execution count [{count}]: {name}: {value}"
    code_cells = [cell for cell in read_notebook(executed)["cells"] if cell["cell_type"] == "code"]
    own_cells = [cell for cell in code_cells if "injected-parameters" not in cell.get("metadata", {}).get("tags", [])]
    failed = [index for index, cell in enumerate(own_cells) if cell.get("execution_count") == count]
    if not failed:
        return f"execution count [{count}]: {name}: {value}"
    text = cell_source(own_cells[failed[0]]).strip()
    first_line = f" ({text.splitlines()[0][:60]!r})" if text else ""
    return f"Cell {failed[0]}{first_line}, [{count}] in the kept notebook: {name}: {value}"


JSON_TYPES = {dict: "an object", list: "an array", str: "a string", int: "a number", float: "a number",
              bool: "true or false", type(None): "null"}


def _manifest_shape_problem(state: object) -> str:
    """What keeps `state` from being a build manifest, in a few words; '' when it is one."""
    if not isinstance(state, dict):
        return f"{JSON_TYPES.get(type(state), 'a value')} where an object is expected"
    if not isinstance(state.get("runs"), dict):
        return "its 'runs' is not an object"
    for name, entry in state["runs"].items():
        products = entry.get("products") if isinstance(entry, dict) else None
        if not (isinstance(products, list) and all(isinstance(product, str) for product in products)
                and isinstance(entry.get("key"), str)):
            return f"run {name[:40]!r} is not {{\"key\": text, \"products\": [paths]}}"
    if not isinstance(state.get("site", ""), str):
        return "its 'site' is not text"
    for table in ("files", "stored_notebooks"):
        value = state.get(table, {})
        if not (isinstance(value, dict) and all(isinstance(item, str) for item in value.values())):
            return f"its {table!r} is not an object of texts"
    return ""


def is_inside(path: str) -> bool:
    """A path that stays inside the output folder as written: relative, with no '..', '.' or empty part. The
    tree holds no symbolic link (check_out_dir refuses them), so it leads where it reads."""
    return bool(path) and "\0" not in path and all(part not in ("", ".", "..") for part in path.split("/"))


def _is_notebook_name(name: str) -> bool:
    return is_inside(name) and "/" not in name and name.endswith(".ipynb")


def load_manifest(out: Path) -> tuple[dict, list[str]]:
    """The previous build's record, trusted no further than its shape and its paths (a commit can hold anything):
    a manifest of the wrong shape counts as none, so every notebook runs; a path that leads out of `out` is
    dropped. Returns the record and a warning for each thing ignored."""
    path, label = out / STATE_FILE, f"{out.name}/{STATE_FILE}"
    if not path.is_file():
        return {"runs": {}}, []
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as error:
        return {"runs": {}}, [f"{label} cannot be read ({error}); treated as missing, so every notebook runs"]
    problem = _manifest_shape_problem(state)
    if problem:
        return {"runs": {}}, [f"{label} is not a build manifest ({problem}); treated as missing, so every notebook "
                              "runs"]
    ignored: list[str] = []

    def kept(names, allowed=is_inside):
        ignored.extend(name for name in names if not allowed(name))
        return [name for name in names if allowed(name)]

    clean: dict = {"runs": {name: {"key": entry["key"], "products": kept(entry["products"])}
                            for name, entry in state["runs"].items()}}
    if "site" in state:
        clean["site"] = state["site"]
    for table, allowed in (("files", is_inside), ("stored_notebooks", _is_notebook_name)):
        if table in state:
            clean[table] = {name: state[table][name] for name in kept(list(state[table]), allowed)}
    warnings = []
    if ignored:
        shown = ", ".join(repr(name[:60]) for name in ignored[:3]) + (", ..." if len(ignored) > 3 else "")
        warnings.append(f"{label}: ignored {len(ignored)} path(s) that do not stay inside {out.name}/ ({shown})")
    return clean, warnings


def _products(run_dir: Path) -> list[str]:
    return sorted(str(path.relative_to(run_dir)) for path in run_dir.rglob("*") if path.is_file())


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM: the build stops its workers, removes its staging folder and leaves outputs alone."""

    def __init__(self, signal_number: int = signal.SIGINT):
        super().__init__(signal.Signals(signal_number).name)
        self.signal_number = signal_number


def _raise_interrupted(signal_number: int, _frame) -> None:
    raise Interrupted(signal_number)


def skip_iri_grammar() -> None:
    """Importing nbformat imports jsonschema, which builds an IRI grammar (the optional rfc3987_syntax) that takes
    a second and that no notebook check uses; marked absent, jsonschema skips it. Only for our own processes."""
    sys.modules.setdefault("rfc3987_syntax", None)


def _stop_workers(executor: ProcessPoolExecutor, grace: float = 10.0) -> None:
    """Stop running workers (and so their kernels) instead of letting them finish unseen after the build exits."""
    processes = list(getattr(executor, "_processes", {}).values())  # the executor keeps no public handle
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join()
    executor.shutdown(wait=False, cancel_futures=True)


def _execute_all(runs: list[Run], staging: Path, jobs: int, failed_dir: Path, cwd: Path, work: Path,
                 timeout: float) -> None:
    """Run notebooks side by side, at most `jobs` at once; keep failed notebooks and raise."""
    progress = Progress(len(runs))
    queue = list(runs)
    running = {}
    failures = []
    records = work / RECORDS
    matplotlib_dir = work / MATPLOTLIB
    matplotlib_dir.mkdir(mode=0o700, exist_ok=True)
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"), initializer=worker_started,
                                 initargs=(os.getpid(), str(records), str(matplotlib_dir))) as executor:
            try:
                while queue or running:
                    while queue and len(running) < jobs:
                        run = queue.pop(0)
                        run_dir = staging / "runs" / run.name
                        (run_dir / "raw").mkdir(parents=True)
                        future = executor.submit(execute_run, str(run.notebook), str(run_dir), run.name,
                                                 run.parameters, str(cwd), timeout)
                        running[future] = (run, time.monotonic())
                        progress.started(run.name)
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        run, began = running.pop(future)
                        error = future.exception()
                        progress.finished(run.name, time.monotonic() - began, error is None)
                        if error is not None:
                            failures.append((run, error))
            except KeyboardInterrupt:
                _stop_workers(executor)
                raise
            finally:
                progress.close()
    finally:
        forget_finished(records)
    failed_names = {run.name for run, _ in failures}
    clear_failed(failed_dir, [run.name for run in runs if run.name not in failed_names])
    if failures:
        messages = []
        for run, error in failures:
            executed = staging / "runs" / run.name / "raw" / f"{run.name}.ipynb"
            kept = failed_dir / executed.name
            not_kept = _keep_failed(executed.parent, run.name, failed_dir, work)
            where = (f"  it could not be kept: {not_kept}" if not_kept else
                     f"  the executed notebook is kept for inspection at {kept} (kernel messages: "
                     f"{kept.with_suffix('.kernel.log').name})")
            messages.append(f"notebook {run.notebook.name} ({run.name}) failed at {describe_failure(error, executed)}"
                            f"\n{where}")
        raise BuildError("\n".join(messages))


FAILED_SUFFIXES = (".ipynb", ".kernel.log")  # what a failed run leaves in outputs.failed/


def _keep_failed(raw: Path, name: str, failed_dir: Path, work: Path) -> str:
    """Copy a failed run's notebook and kernel log into `failed_dir`, each whole or not at all; why not, or ''."""
    try:
        failed_dir.mkdir(exist_ok=True)
        for suffix in FAILED_SUFFIXES:
            if (raw / (name + suffix)).is_file():
                copy_whole(raw / (name + suffix), failed_dir / (name + suffix))
    except OSError as error:
        return describe_os_error(error, work)
    return ""


def clear_failed(failed_dir: Path, names) -> None:
    """Forget the kept failures of runs that now succeed; the folder goes when nothing is left in it."""
    if not failed_dir.is_dir() or failed_dir.is_symlink():
        return
    for name in names:
        for suffix in FAILED_SUFFIXES:
            (failed_dir / (name + suffix)).unlink(missing_ok=True)
    if not any(failed_dir.iterdir()):
        failed_dir.rmdir()


def copy_whole(source: Path, target: Path) -> None:
    """Copy through a temporary name, so that a full disk leaves the old file or none, never an empty one."""
    partial = target.with_name(f".{target.name}.partial")
    try:
        shutil.copyfile(source, partial)
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def describe_os_error(error: OSError, work: Path) -> str:
    """An OS error as one line: the cause and the folder, with what to do where there is something to do."""
    if isinstance(error, shutil.Error) and error.args and isinstance(error.args[0], list):
        _, target, why = error.args[0][0]  # copytree gathers its files' failures as text: "[Errno 28] No space..."
        code = re.match(r"\[Errno (\d+)\] ([^:]+)", str(why))
        if not code:
            return f"{why} (copying into {Path(target).parent})"
        error = OSError(int(code[1]), code[2], target)
    where = Path(os.fsdecode(error.filename)) if error.filename else work
    folder = where if where.is_dir() else where.parent
    code = errno.errorcode.get(error.errno or 0)
    cause = (error.strerror or str(error)) + (f" ({code})" if code else "")
    hint = {errno.ENOSPC: ": free some space on that disk, then build again",
            errno.EDQUOT: ": your disk quota is used up; free some space, then build again",
            errno.EROFS: ": that file system is read-only; choose another --out",
            errno.EACCES: ": check the folder's permissions", errno.EPERM: ": check the folder's permissions",
            }.get(error.errno or 0, "")
    return f"{cause} in {folder}{hint}"


def _assemble(runs: list[Run], executed: list[Run], staging: Path, out: Path, state: dict) -> Path:
    """The new output tree: the previous one, less the files of re-run or removed notebooks and any file the
    last build did not publish, plus new files. Paths from the manifest were checked by `load_manifest`."""
    new = staging / "new"
    if out.is_dir():
        shutil.copytree(out, new, symlinks=True)
    new.mkdir(parents=True, exist_ok=True)
    (new / LEGACY_STATE).unlink(missing_ok=True)
    if "files" in state:
        for name in set(file_hashes(new, hashed=False)) - set(state["files"]):
            _remove_file(new, name)
    planned = {run.name for run in runs}
    for name in [name for name in state["runs"] if name not in planned]:
        for product in state["runs"].pop(name)["products"]:
            _remove_file(new, product)
    for run in executed:
        for product in state["runs"].get(run.name, {}).get("products", []):
            _remove_file(new, product)
    owners: dict[str, str] = {}
    for run in runs:
        if run not in executed:
            run.products = state["runs"].get(run.name, {}).get("products", [])
        for product in run.products:
            owners[product] = run.name
    for run in executed:
        run_dir = staging / "runs" / run.name
        run.products = [p for p in _products(run_dir) if not p.startswith("raw/")]
        for product in run.products:
            if owners.get(product, run.name) != run.name:
                raise BuildError(f"{run.name} and {owners[product]} both write {product}: "
                                 "give one of the files another name")
            owners[product] = run.name
            target = new / product
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(run_dir / product, target)
    return new


def _remove_file(tree: Path, name: str) -> None:
    path = tree / name
    if is_inside(name) and path.is_file() and not path.is_symlink():
        path.unlink()


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where the system cannot."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    at_cwd, rename_exchange = -100, 2
    if renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


PREVIOUS = "previous"  # inside a staging folder: the old outputs, while the fallback publish swaps them out


def _publish(new: Path, out: Path) -> None:
    """Swap the new tree in so that `out` is never missing or half-written: one exchange rename where the
    system has it, else two renames whose middle state `recover_interrupted` repairs at the next build."""
    if not out.exists():
        new.rename(out)
    elif _exchange(new, out):
        shutil.rmtree(new)  # the exchange left the old outputs here
    else:
        previous = new.parent / PREVIOUS
        out.rename(previous)
        new.rename(out)
        shutil.rmtree(previous)


# Each output folder has one hidden work folder beside it, `.<name>.build`, made from its whole name, so that no
# other output folder's can match it (the old `.<name>-staging-*` patterns matched `<name>-staging-x`'s own).
# It holds the lock, the staging folders, the records of running workers and kernels, the matplotlib cache.
WORK_SUFFIX = ".build"
LOCK = "lock"
STAGING = "staging-"
RECORDS = "processes"
MATPLOTLIB = "matplotlib"


def work_folder(out: Path) -> Path:
    return out.with_name(f".{out.name}{WORK_SUFFIX}")


def failed_folder(out: Path) -> Path:
    return out.with_name(f"{out.name}.failed")


def _legacy_previous(out: Path) -> re.Pattern:
    return re.compile(re.escape(f".{out.name}-previous-") + r"[0-9]+")


def _legacy_leftovers(out: Path) -> list[Path]:
    """What builds before the work folder left (`.<name>-staging-XXXXXXXX`, `.<name>-previous-<pid>`, the lock),
    matched by exact name and content, never by a pattern that another output folder's files can match."""
    staging = re.compile(re.escape(f".{out.name}-staging-") + r"[a-z0-9_]{8}")
    previous = _legacy_previous(out)
    found = []
    for entry in out.parent.glob(glob.escape(f".{out.name}") + "[-.]*"):
        if entry.is_symlink():
            continue
        if entry.name == f".{out.name}.lock" and entry.is_file() and entry.stat().st_size == 0:
            found.append(entry)
        elif entry.is_dir() and staging.fullmatch(entry.name):
            if {child.name for child in entry.iterdir()} <= {"runs", "new", PREVIOUS}:
                found.append(entry)
        elif entry.is_dir() and previous.fullmatch(entry.name) and not work_folder(entry).exists():
            found.append(entry)
    return found


def _leftovers(out: Path) -> list[Path]:
    """Staging folders of builds that did not finish: in the work folder, and those named the old way."""
    work = work_folder(out)
    current = sorted(work.glob(STAGING + "*")) if work.is_dir() and not work.is_symlink() else []
    return current + sorted(_legacy_leftovers(out))


def recover_interrupted(out: Path) -> list[str]:
    """Under the lock, before anything else: stop what a killed build left running, put back outputs that it had
    moved aside, and remove its staging folders. Returns what was done, one line each."""
    done = stop_leftovers(work_folder(out) / RECORDS)
    for leftover in _leftovers(out):
        if leftover.is_file():
            leftover.unlink()  # the old lock file
            continue
        stranded = leftover if _legacy_previous(out).fullmatch(leftover.name) else leftover / PREVIOUS
        if not out.exists() and stranded.is_dir() and not stranded.is_symlink():
            stranded.rename(out)
            done.append(f"restored {out} from {stranded}, left by an interrupted build")
        if leftover.exists():
            shutil.rmtree(leftover)
            done.append(f"removed {leftover}, left by an interrupted build")
    return done


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_hashes(folder: Path, hashed: bool = True) -> dict[str, str]:
    """Every file under `folder` but the manifest, by relative path, with its SHA-256 (or '' if not `hashed`)."""
    return {str(path.relative_to(folder)): sha256_of(path.read_bytes()) if hashed else ""
            for path in sorted(folder.rglob("*")) if path.is_file() and path.name != STATE_FILE}


def _stored_notebooks(executed: list[Run], staging: Path) -> dict[str, dict]:
    """The notebooks with their stored outputs, by file name (nbval compares them)."""
    stored = {}
    for run in executed:
        if run.is_default:
            raw = read_notebook(staging / "runs" / run.name / "raw" / f"{run.name}.ipynb")
            stored[run.notebook.name] = clean_executed(raw, None)
    return stored


def _work_folder_ready(out: Path) -> Path:
    work = work_folder(out)
    work.mkdir(mode=0o700, parents=True, exist_ok=True)
    if work.is_symlink() or not work.is_dir():
        raise BuildError(f"{work} (the build's work folder for --out {out.name}) is not a folder: remove it")
    return work


@contextmanager
def exclusive(out: Path):
    """One build at a time per output folder: a second one is refused rather than racing the first."""
    lock = os.open(_work_folder_ready(out) / LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"another build is writing {out}; wait for it to finish") from None
        yield
    finally:
        os.close(lock)


@contextmanager
def _signals_interrupt():
    """SIGTERM ends the build the way Ctrl-C does: workers stopped, staging removed, outputs untouched."""
    previous = signal.signal(signal.SIGTERM, _raise_interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


LEGACY_STATE = ".build-state.json"  # the manifest's name before it was committed; replaced at the next build
BUILD_ENTRIES = {"figures", "tables", "notebooks", "site", STATE_FILE, LEGACY_STATE}  # what a build writes
MAX_JOBS = 32


def check_out_dir(out: Path, data: Path, notebooks: Path) -> None:
    """Refuse an output folder that a build would damage or could not write, before anything runs."""
    source = paths.PROJECT_ROOT / "src"
    for what, folder in (("the data folder", data), ("the notebooks folder", notebooks), ("the source folder", source)):
        if out == folder or folder in out.parents:
            raise BuildError(f"--out {out} is {what} or inside it: choose a folder of its own, e.g. outputs/")
        if out in folder.parents:
            raise BuildError(f"--out {out} holds {what} ({folder}): a build replaces its output folder whole")
    if re.fullmatch(r"\..+" + re.escape(WORK_SUFFIX) + r"|.+\.failed", out.name):
        raise BuildError(f"--out {out}: builds keep names like this for their own folders (.<out>{WORK_SUFFIX}, "
                         "<out>.failed): choose another name")
    if out.exists() and not out.is_dir():
        raise BuildError(f"--out {out} is a file, not a folder: choose a folder")
    if out.is_dir():
        if os.path.ismount(out):
            raise BuildError(f"--out {out} is a mount point, which a build cannot replace: choose a folder inside it")
        foreign = sorted(entry.name for entry in out.iterdir() if entry.name not in BUILD_ENTRIES)
        if foreign:
            raise BuildError(f"--out {out} holds files a build did not make ({', '.join(foreign[:3])}): a build "
                             "replaces its output folder whole, so it writes only into a new or empty folder or "
                             "into a previous build's output")
        _check_tree(out)
    for what, folder in (("work folder", work_folder(out)), ("folder for failed notebooks", failed_folder(out))):
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise BuildError(f"{folder}, the build's {what} for --out {out.name}, is not a folder: remove it")
        if folder.exists() and folder.stat().st_uid != os.geteuid():
            raise BuildError(f"{folder}, the build's {what} for --out {out.name}, belongs to another user (uid "
                             f"{folder.stat().st_uid}): choose another --out or take ownership (chown)")
    existing = out.parent
    while not existing.exists():
        existing = existing.parent
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        raise BuildError(f"--out {out} cannot be written: {existing} refuses new files ({error.strerror})") from None


def _check_tree(out: Path) -> None:
    """Every entry of a previous output folder is a real folder or file, the build's user owns the folders and
    can change them, and can read the files: else the build would follow a link out of --out, or fail halfway
    through publishing."""
    user = os.geteuid()

    def refuse(error: OSError):
        raise BuildError(f"--out {out} cannot be read: {error.filename}: {error.strerror}")

    for top, folders, files in os.walk(out, onerror=refuse):
        folder = Path(top)
        shown = folder.relative_to(out.parent)
        info = folder.lstat()
        if info.st_uid != user:
            raise BuildError(f"--out {out}: {shown} belongs to another user (uid {info.st_uid}, you are {user}): a "
                             "build replaces the folder it writes, so it must be yours; choose another --out or "
                             "take ownership (chown)")
        if not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
            raise BuildError(f"--out {out}: {shown} is not writable by you (mode {stat.filemode(info.st_mode)}): "
                             "give yourself write permission (chmod u+rwx) or choose another --out")
        for name in folders + files:
            entry = folder / name
            mode = entry.lstat().st_mode
            if stat.S_ISLNK(mode):
                raise BuildError(f"--out {out}: {entry.relative_to(out.parent)} is a symbolic link (to "
                                 f"{os.readlink(entry)}): a build writes real files only, and would follow it out "
                                 "of --out; remove the link")
            if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                raise BuildError(f"--out {out}: {entry.relative_to(out.parent)} is not a file or a folder: remove it")
            if stat.S_ISREG(mode) and not os.access(entry, os.R_OK):
                raise BuildError(f"--out {out}: {entry.relative_to(out.parent)} cannot be read by you: give yourself "
                                 "read permission (chmod u+r) or choose another --out")


def _folders(data_dir, out_dir, notebooks_dir) -> tuple[Path, Path, Path]:
    """The data, output and notebooks folders, resolved; the project's own where none is given."""
    return (paths.data_dir(data_dir).resolve(), Path(out_dir or paths.OUTPUTS_DIR).resolve(),
            Path(notebooks_dir or paths.NOTEBOOKS_DIR).resolve())


@dataclass
class BuildReport:
    executed: list[str]
    skipped: list[str]
    seconds: float
    recovered: list[str] = field(default_factory=list)
    site_rendered: bool = False
    repaired: list[str] = field(default_factory=list)  # published files that were missing or altered, one line each
    warnings: list[str] = field(default_factory=list)


MAX_TIMEOUT = 24 * 3600


def build(data_dir: str | Path | None = None, out_dir: str | Path | None = None, force: bool = False,
          jobs: int | None = None, parameter_options: list[str] | tuple = (),
          notebooks_dir: str | Path | None = None, store_notebooks_in: str | Path | None = None,
          timeout: float = DEFAULT_TIMEOUT) -> BuildReport:
    """Validate, execute what changed or was damaged, render the site and publish; raises BuildError with the
    reason (an OS error such as a full disk included, as one line).

    `store_notebooks_in`: where the notebooks with their stored outputs go (nbval compares them); by default the
    notebooks folder itself, when the project's own data is built into the project's outputs/.
    `timeout`: seconds a cell may run before the build stops it and fails.
    """
    began = time.monotonic()
    data, out, notebooks = _folders(data_dir, out_dir, notebooks_dir)
    jobs = (os.cpu_count() or 1) if jobs is None else jobs
    if not 1 <= jobs <= MAX_JOBS:
        raise BuildError(f"--jobs must be a whole number from 1 to {MAX_JOBS}, not {jobs}")
    if not (isinstance(timeout, int | float) and math.isfinite(timeout) and 1 <= timeout <= MAX_TIMEOUT):
        raise BuildError(f"--timeout must be a number of seconds from 1 to {MAX_TIMEOUT}, not {timeout}")
    chosen = parse_parameter_options(list(parameter_options))
    if store_notebooks_in is None and (data, out, notebooks) == _folders(None, None, None):
        store_notebooks_in = notebooks
    report = BuildReport([], [], 0.0)
    try:
        _build(data, out, notebooks, force, jobs, chosen, Path(store_notebooks_in) if store_notebooks_in else None,
               timeout, report)
    except OSError as error:
        raise BuildError(describe_os_error(error, work_folder(out).parent)) from None
    report.seconds = time.monotonic() - began
    return report


def _warn(report: BuildReport, message: str) -> None:
    """Said at once (a build that fails later still shows it) and kept in the report."""
    print(f"build: warning: {message}", file=sys.stderr, flush=True)
    report.warnings.append(message)


def _build(data: Path, out: Path, notebooks: Path, force: bool, jobs: int, chosen: dict[str, str],
           store: Path | None, timeout: float, report: BuildReport) -> None:
    check_out_dir(out, data, notebooks)
    _, problems = read_dataset(data)
    if problems:
        raise BuildError("the dataset is invalid; nothing was built:\n" + "\n".join(map(str, problems)))
    for name in extra_data_files(data):
        _warn(report, f"{data.name}/{name} is not a table of the contract ({paths.SCHEMA_FILE}): ignored, and not "
                      "published")
    runs = plan_runs(notebooks, data, chosen)
    with exclusive(out), _signals_interrupt():
        report.recovered = recover_interrupted(out)
        state, notes = load_manifest(out)
        for note in notes:
            _warn(report, note)
        damaged = _damaged_files(out, state.get("files"))
        owners = {product: name for name, entry in state["runs"].items() for product in entry["products"]}
        due = [run for run in runs if run.selected and (force or not _is_current(run, state, out))]
        edited = {name: why for name, why in _damaged_stored_notebooks(state, store).items()
                  if not any(run.notebook.name == name for run in due)}
        to_repair = [run for run in runs if run not in due and (
            any(owners.get(name) == run.name for name in damaged) or (run.is_default and run.notebook.name in edited))]
        to_execute = due + to_repair
        site_key = site_digest(runs, data)
        report.site_rendered = (bool(to_execute) or bool(damaged) or force or state.get("site") != site_key
                                or not (out / "site").is_dir())
        if report.site_rendered:
            _execute_and_publish(runs, to_execute, data, out, notebooks, jobs, state, site_key, store, timeout)
        report.repaired = ([f"{name} ({why})" for name, why in damaged.items()]
                           + [f"stored outputs of {name} in {store.name}/ ({why})" for name, why in edited.items()])
        failed = failed_folder(out)
        planned = {run.name for run in runs}
        kept = {path.name.removesuffix(suffix) for suffix in FAILED_SUFFIXES
                for path in (failed.glob("*" + suffix) if failed.is_dir() else [])}
        clear_failed(failed, [run.name for run in runs if _is_current(run, state, out)] + sorted(kept - planned))
    report.executed = [run.name for run in to_execute]
    report.skipped = [run.name for run in runs if run not in to_execute]


def _damaged_files(out: Path, recorded: dict[str, str] | None) -> dict[str, str]:
    """Published files that are not what the last build `recorded` (missing, edited, or added by hand): the hint
    'run make figures' must repair them. Nothing to compare with when no record is given."""
    if recorded is None or not out.is_dir():
        return {}
    actual = file_hashes(out)
    return {name: "missing" if name not in actual else "edited" if name in recorded else
            "not made by the build: removed" for name in sorted(set(recorded) | set(actual))
            if recorded.get(name) != actual.get(name)}


def _damaged_stored_notebooks(state: dict, store: Path | None) -> dict[str, str]:
    if store is None:
        return {}
    found = {}
    for name, digest in state.get("stored_notebooks", {}).items():
        path = store / name
        if not path.is_file():
            found[name] = "missing"
        elif sha256_of(path.read_bytes()) != digest:
            found[name] = "edited"
    return found


def stale_outputs(data_dir: Path | None = None, out_dir: Path | None = None,
                  notebooks_dir: Path | None = None) -> list[str]:
    """What in `out_dir` (and in the notebooks' stored outputs) no longer matches the inputs, one line each;
    empty when the committed outputs are what a build of the committed data, notebooks and code makes."""
    data, out, notebooks = _folders(data_dir, out_dir, notebooks_dir)
    if not (out / STATE_FILE).is_file():
        return [f"{out / STATE_FILE} is missing: no build recorded these outputs"]
    state, found = load_manifest(out)
    runs = plan_runs(notebooks, data, {})
    for run in runs:
        entry = state["runs"].get(run.name)
        if entry is None:
            found.append(f"{run.name}: never built")
        elif entry["key"] != run.key:
            found.append(f"{run.name}: its notebook, the data, the package code or the lock file changed since it "
                         "was built")
    found += [f"{name}: built, but no such notebook run any more" for name in sorted(state["runs"])
              if name not in {run.name for run in runs}]
    if state.get("site") != site_digest(runs, data):
        found.append("site: its code, the data or a notebook run changed since it was rendered")
    found += [f"{out.name}/{name}: " + {"missing": "missing (the build wrote it)", "edited": "edited since the build"}
              .get(why, "not made by the build") for name, why in _damaged_files(out, state.get("files", {})).items()]
    found += [f"notebooks/{name}: its stored outputs are not the ones the build wrote"
              for name in _damaged_stored_notebooks(state, notebooks)]
    return found


def _is_current(run: Run, state: dict, out: Path) -> bool:
    """Built before with the same key, and every file it made is still there."""
    entry = state["runs"].get(run.name)
    return bool(entry) and entry["key"] == run.key and all((out / p).is_file() for p in entry["products"])


def _execute_and_publish(runs: list[Run], to_execute: list[Run], data: Path, out: Path, notebooks: Path,
                         jobs: int, state: dict, site_key: str, store_notebooks_in: Path | None,
                         timeout: float) -> None:
    work = work_folder(out)
    staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=work))
    try:
        if to_execute:
            _execute_all(to_execute, staging, jobs, failed_folder(out), notebooks, work, timeout)
        new = _assemble(runs, to_execute, staging, out, state)
        from .site import SiteError, render_site

        try:
            render_site(new, data)
        except SiteError as error:
            raise BuildError(f"the site could not be rendered: {error}") from None
        state["runs"].update({run.name: {"key": run.key, "products": run.products} for run in to_execute})
        state["site"] = site_key
        state["files"] = file_hashes(new)
        stored = _stored_notebooks(to_execute, staging) if store_notebooks_in is not None else {}
        state.setdefault("stored_notebooks", {}).update(
            {name: sha256_of(notebook_text(notebook).encode()) for name, notebook in stored.items()})
        (new / STATE_FILE).write_text(json.dumps(state, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        _publish(new, out)
        for name, notebook in stored.items():
            write_notebook(notebook, store_notebooks_in / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

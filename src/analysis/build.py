"""The papermill pipeline: validate, run the notebooks that changed side by side, publish atomically.

A build never damages what it replaces: notebooks run into a staging folder and the output folder is
swapped only when every notebook succeeded. Each run is keyed by a hash of its notebook's code, the data,
the package's code, the locked dependencies and its parameters, so an unchanged run is not executed again.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import json
import os
import shutil
import signal
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
from .schema import populations
from .validation import read_dataset

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
    """What the site depends on: its own code and files, the data, and every run it shows."""
    site_files = [path for path in _package_files() if _is_site_code(path)]
    digest = hashlib.sha256(_hash_files(site_files, paths.PROJECT_ROOT).encode())
    digest.update(data_digest(data_dir).encode())
    for run in sorted(runs, key=lambda run: run.name):
        digest.update(f"{run.name}:{run.key}".encode())
    return digest.hexdigest()


def data_digest(data_dir: Path) -> str:
    return _hash_files([path for path in data_dir.glob("*.csv")], data_dir)


def parse_parameter_options(options: list[str]) -> dict[str, str]:
    """`-p name=value` options, refused with the allowed names and values when unknown or invalid."""
    chosen: dict[str, str] = {}
    for option in options:
        name, separator, value = option.partition("=")
        if not separator:
            raise BuildError(f"parameter {option!r} must be written name=value")
        if name not in ALLOWED_PARAMETERS:
            raise BuildError(f"unknown parameter {name!r}; parameters that can be set: "
                             + ", ".join(sorted(ALLOWED_PARAMETERS)))
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


def execute_run(notebook: str, run_dir: str, name: str, parameters: dict, cwd: str) -> None:
    """Execute one notebook in its own kernel, then clean it; runs in a worker process.

    Pages are rendered afterwards, all at once, by Sphinx (`site.render_site`).
    """
    import papermill
    from traitlets.config import Config

    folder = Path(run_dir)
    raw = folder / "raw" / f"{name}.ipynb"
    # The kernel inherits this worker's stderr: send its start-up chatter to a log kept with the raw notebook.
    with open(folder / "raw" / f"{name}.kernel.log", "w", encoding="utf-8") as log:
        os.dup2(log.fileno(), 2)
    # The kernel talks over Unix sockets in a private folder, not TCP ports: workers that each pick a "free" port
    # at the same moment can pick the same one, and then a kernel dies on start (papermill issue 511).
    with tempfile.TemporaryDirectory(prefix="kernel-") as sockets:
        papermill.execute_notebook(
            notebook, str(raw), parameters={**parameters, "out_dir": run_dir},
            kernel_name=paths.KERNEL_NAME, cwd=cwd, progress_bar=False, log_output=False,
            config=Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(sockets, "kernel")}}),
        )
    shown = {key: value for key, value in parameters.items() if key not in PATH_PARAMETERS}
    cleaned = folder / "notebooks" / f"{name}.ipynb"
    write_notebook(clean_executed(read_notebook(raw), shown), cleaned)


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


def _load_state(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"runs": {}}


def _products(run_dir: Path) -> list[str]:
    return sorted(str(path.relative_to(run_dir)) for path in run_dir.rglob("*") if path.is_file())


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM: the build stops its workers, removes its staging folder and leaves outputs alone."""

    def __init__(self, signal_number: int = signal.SIGINT):
        super().__init__(signal.Signals(signal_number).name)
        self.signal_number = signal_number


def _raise_interrupted(signal_number: int, _frame) -> None:
    raise Interrupted(signal_number)


def _worker_started() -> None:
    """In each worker: SIGTERM unwinds like Ctrl-C, so papermill shuts the worker's kernel down on the way out."""
    signal.signal(signal.SIGTERM, _raise_interrupted)
    skip_iri_grammar()


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


def _execute_all(runs: list[Run], staging: Path, jobs: int, failed_dir: Path, cwd: Path) -> None:
    """Run notebooks side by side, at most `jobs` at once; keep failed notebooks and raise."""
    progress = Progress(len(runs))
    queue = list(runs)
    running = {}
    failures = []
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"),
                             initializer=_worker_started) as executor:
        try:
            while queue or running:
                while queue and len(running) < jobs:
                    run = queue.pop(0)
                    run_dir = staging / "runs" / run.name
                    (run_dir / "raw").mkdir(parents=True)
                    future = executor.submit(execute_run, str(run.notebook), str(run_dir), run.name,
                                             run.parameters, str(cwd))
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
    if failures:
        failed_dir.mkdir(parents=True, exist_ok=True)
        messages = []
        for run, error in failures:
            executed = staging / "runs" / run.name / "raw" / f"{run.name}.ipynb"
            kept = failed_dir / executed.name
            for produced in executed.parent.glob(f"{run.name}.*"):
                shutil.copyfile(produced, failed_dir / produced.name)
            messages.append(f"notebook {run.notebook.name} ({run.name}) failed at {describe_failure(error, executed)}\n"
                            f"  the executed notebook is kept for inspection at {kept} (kernel messages: "
                            f"{kept.with_suffix('.kernel.log').name})")
        raise BuildError("\n".join(messages))


def _assemble(runs: list[Run], executed: list[Run], staging: Path, out: Path, state: dict) -> Path:
    """The new output tree: the previous one, less the files of re-run or removed notebooks, plus new files."""
    new = staging / "new"
    if out.is_dir():
        shutil.copytree(out, new, symlinks=True)
    new.mkdir(parents=True, exist_ok=True)
    (new / LEGACY_STATE).unlink(missing_ok=True)
    planned = {run.name for run in runs}
    for name in [name for name in state["runs"] if name not in planned]:
        for product in state["runs"].pop(name)["products"]:
            (new / product).unlink(missing_ok=True)
    for run in executed:
        for product in state["runs"].get(run.name, {}).get("products", []):
            (new / product).unlink(missing_ok=True)
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


def _leftovers(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}-staging-*")) + sorted(out.parent.glob(f".{out.name}-previous-*"))


def recover_interrupted(out: Path) -> list[str]:
    """Under the lock, before anything else: put back outputs that a killed build had moved aside, and remove
    its staging folders. Returns what was done, one line each."""
    done = []
    for leftover in _leftovers(out):
        stranded = leftover / PREVIOUS if leftover.name.startswith(f".{out.name}-staging-") else leftover
        if not out.exists() and stranded.is_dir():
            stranded.rename(out)
            done.append(f"restored {out} from {stranded}, left by an interrupted build")
        if leftover.exists():
            shutil.rmtree(leftover)
            done.append(f"removed {leftover}, left by an interrupted build")
    return done


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_hashes(folder: Path) -> dict[str, str]:
    """Every file under `folder` but the manifest, by relative path."""
    return {str(path.relative_to(folder)): sha256_of(path.read_bytes()) for path in sorted(folder.rglob("*"))
            if path.is_file() and path.name != STATE_FILE}


def _stored_notebooks(executed: list[Run], staging: Path) -> dict[str, dict]:
    """The notebooks with their stored outputs, by file name (nbval compares them)."""
    stored = {}
    for run in executed:
        if run.is_default:
            raw = read_notebook(staging / "runs" / run.name / "raw" / f"{run.name}.ipynb")
            stored[run.notebook.name] = clean_executed(raw, None)
    return stored


@contextmanager
def exclusive(out: Path):
    """One build at a time per output folder: a second one is refused rather than racing the first."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.with_name(f".{out.name}.lock"), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"another build is writing {out}; wait for it to finish") from None
        yield


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
    existing = out.parent
    while not existing.exists():
        existing = existing.parent
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        raise BuildError(f"--out {out} cannot be written: {existing} refuses new files ({error.strerror})") from None


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


def build(data_dir: str | Path | None = None, out_dir: str | Path | None = None, force: bool = False,
          jobs: int | None = None, parameter_options: list[str] | tuple = (),
          notebooks_dir: str | Path | None = None, store_notebooks_in: str | Path | None = None) -> BuildReport:
    """Validate, execute what changed, render the site and publish; raises BuildError with the reason.

    `store_notebooks_in`: where the notebooks with their stored outputs go (nbval compares them); by default the
    notebooks folder itself, when the project's own data is built into the project's outputs/.
    """
    began = time.monotonic()
    data, out, notebooks = _folders(data_dir, out_dir, notebooks_dir)
    jobs = (os.cpu_count() or 1) if jobs is None else jobs
    if not 1 <= jobs <= MAX_JOBS:
        raise BuildError(f"--jobs must be a whole number from 1 to {MAX_JOBS}, not {jobs}")
    chosen = parse_parameter_options(list(parameter_options))
    check_out_dir(out, data, notebooks)
    _, problems = read_dataset(data)
    if problems:
        raise BuildError("the dataset is invalid; nothing was built:\n" + "\n".join(map(str, problems)))
    runs = plan_runs(notebooks, data, chosen)
    if store_notebooks_in is None and (data, out, notebooks) == _folders(None, None, None):
        store_notebooks_in = notebooks
    with exclusive(out), _signals_interrupt():
        recovered = recover_interrupted(out)
        state = _load_state(out)
        to_execute = [run for run in runs if run.selected and (force or not _is_current(run, state, out))]
        site_key = site_digest(runs, data)
        render = bool(to_execute) or force or state.get("site") != site_key or not (out / "site").is_dir()
        if render:
            _execute_and_publish(runs, to_execute, data, out, notebooks, jobs, state, site_key,
                                 Path(store_notebooks_in) if store_notebooks_in else None)
    return BuildReport([r.name for r in to_execute], [r.name for r in runs if r not in to_execute],
                       time.monotonic() - began, recovered, render)


def stale_outputs(data_dir: Path | None = None, out_dir: Path | None = None,
                  notebooks_dir: Path | None = None) -> list[str]:
    """What in `out_dir` (and in the notebooks' stored outputs) no longer matches the inputs, one line each;
    empty when the committed outputs are what a build of the committed data, notebooks and code makes."""
    data, out, notebooks = _folders(data_dir, out_dir, notebooks_dir)
    if not (out / STATE_FILE).is_file():
        return [f"{out / STATE_FILE} is missing: no build recorded these outputs"]
    state = _load_state(out)
    runs = plan_runs(notebooks, data, {})
    found = []
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
    recorded, actual = state.get("files", {}), file_hashes(out)
    for name in sorted(set(recorded) | set(actual)):
        if recorded.get(name) != actual.get(name):
            why = ("missing (the build wrote it)" if name not in actual else "not made by the build"
                   if name not in recorded else "edited since the build")
            found.append(f"{out.name}/{name}: {why}")
    for name, digest in sorted(state.get("stored_notebooks", {}).items()):
        path = notebooks / name
        if not path.is_file() or sha256_of(path.read_bytes()) != digest:
            found.append(f"notebooks/{name}: its stored outputs are not the ones the build wrote")
    return found


def _is_current(run: Run, state: dict, out: Path) -> bool:
    """Built before with the same key, and every file it made is still there."""
    entry = state["runs"].get(run.name)
    return bool(entry) and entry["key"] == run.key and all((out / p).is_file() for p in entry["products"])


def _execute_and_publish(runs: list[Run], to_execute: list[Run], data: Path, out: Path, notebooks: Path,
                         jobs: int, state: dict, site_key: str, store_notebooks_in: Path | None) -> None:
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-staging-", dir=out.parent))
    try:
        if to_execute:
            _execute_all(to_execute, staging, jobs, out.with_name(out.name + ".failed"), notebooks)
        new = _assemble(runs, to_execute, staging, out, state)
        from .site import render_site

        render_site(new, data)
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

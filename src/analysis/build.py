"""The papermill pipeline: validate, run the notebooks that changed side by side, publish atomically.

A build never damages what it replaces: notebooks run into a staging folder and the output folder is
swapped only when every notebook succeeded. Each run is keyed by a hash of its notebook's code, the data,
the package's code, the locked dependencies and its parameters, so an unchanged run is not executed again.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
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
    read_notebook,
    source_digest,
    write_notebook,
)
from .schema import populations
from .validation import read_dataset

STATE_FILE = ".build-state.json"
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
    products: list[str] = field(default_factory=list)


def _hash_files(files: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def code_digest() -> str:
    """The package's code, the schema and the lock file: what every run depends on."""
    package = Path(__file__).resolve().parent
    files = list(package.glob("*.py")) + [paths.DATA_DIR / paths.SCHEMA_FILE]
    lock = paths.PROJECT_ROOT / "requirements.lock"
    if lock.exists():
        files.append(lock)
    return _hash_files(files, paths.PROJECT_ROOT)


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
    """Every run of the build: one per notebook, or one per population for notebooks that take one."""
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
            populations = [chosen[PER_POPULATION]] if PER_POPULATION in chosen else \
                list(ALLOWED_PARAMETERS[PER_POPULATION])
            variants = [(f"{notebook_path.stem}-{population}", {PER_POPULATION: population})
                        for population in populations]
        else:
            variants = [(notebook_path.stem, {})]
        for name, values in variants:
            parameters = {"data_dir": str(data_dir.resolve()), **values}
            is_default = all(defaults.get(key) == value for key, value in values.items())
            digest = hashlib.sha256(
                (shared + source_digest(notebook) + json.dumps(values, sort_keys=True)).encode()
            ).hexdigest()
            runs.append(Run(name, notebook_path, parameters, is_default, key=digest))
    return runs


def execute_run(notebook: str, run_dir: str, name: str, parameters: dict, cwd: str) -> None:
    """Execute one notebook in its own kernel, then clean it; runs in a worker process.

    Pages are rendered afterwards, all at once, by Sphinx (`site.render_site`).
    """
    import papermill

    folder = Path(run_dir)
    raw = folder / "raw" / f"{name}.ipynb"
    # The kernel inherits this worker's stderr: send its start-up chatter to a log kept with the raw notebook.
    with open(folder / "raw" / f"{name}.kernel.log", "w", encoding="utf-8") as log:
        os.dup2(log.fileno(), 2)
    papermill.execute_notebook(
        notebook, str(raw), parameters={**parameters, "out_dir": run_dir},
        kernel_name=paths.KERNEL_NAME, cwd=cwd, progress_bar=False, log_output=False,
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
    """Which cell failed and why, from papermill's error and the executed notebook, in one line."""
    cell = getattr(error, "exec_count", None)
    name = getattr(error, "ename", type(error).__name__)
    value = getattr(error, "evalue", str(error))
    if cell is None:
        return f"before any cell ran: {name}: {value}"
    first_line = ""
    if executed.exists():
        sources = [cell_source(c) for c in read_notebook(executed)["cells"] if c.get("execution_count") == cell]
        if sources:
            text = sources[0]
            first_line = f" ({text.strip().splitlines()[0][:60]!r})" if text.strip() else ""
    return f"cell [{cell}]{first_line}: {name}: {value}"


def _load_state(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"runs": {}}


def _products(run_dir: Path) -> list[str]:
    return sorted(str(path.relative_to(run_dir)) for path in run_dir.rglob("*") if path.is_file())


def _execute_all(runs: list[Run], staging: Path, jobs: int, failed_dir: Path, cwd: Path) -> None:
    """Run notebooks side by side, at most `jobs` at once; keep failed notebooks and raise."""
    progress = Progress(len(runs))
    queue = list(runs)
    running = {}
    failures = []
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as executor:
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
            executor.shutdown(wait=False, cancel_futures=True)
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
            run.products = state["runs"][run.name]["products"]
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


def _publish(new: Path, out: Path) -> None:
    """Swap the new tree in with two renames on the same file system: readers see old or new, never half."""
    if out.exists():
        old = out.with_name(f".{out.name}-previous-{os.getpid()}")
        out.rename(old)
        new.rename(out)
        shutil.rmtree(old)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        new.rename(out)


def _store_outputs_in_notebooks(executed: list[Run], staging: Path) -> None:
    """Keep the committed notebooks' outputs equal to what the code makes (nbval compares them)."""
    for run in executed:
        if run.is_default:
            result = read_notebook(staging / "runs" / run.name / "raw" / f"{run.name}.ipynb")
            write_notebook(clean_executed(result, None), run.notebook)


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


@dataclass
class BuildReport:
    executed: list[str]
    skipped: list[str]
    seconds: float


def build(data_dir: str | Path | None = None, out_dir: str | Path | None = None, force: bool = False,
          jobs: int | None = None, parameter_options: list[str] | tuple = (),
          notebooks_dir: str | Path | None = None) -> BuildReport:
    """Validate, execute what changed, render the site and publish; raises BuildError with the reason."""
    began = time.monotonic()
    data = paths.data_dir(data_dir).resolve()
    out = Path(out_dir or paths.OUTPUTS_DIR).resolve()
    jobs = jobs or os.cpu_count() or 1
    if jobs < 1:
        raise BuildError("--jobs must be at least 1")
    chosen = parse_parameter_options(list(parameter_options))
    _, problems = read_dataset(data)
    if problems:
        raise BuildError("the dataset is invalid; nothing was built:\n" + "\n".join(map(str, problems)))
    notebooks = Path(notebooks_dir or paths.NOTEBOOKS_DIR).resolve()
    runs = plan_runs(notebooks, data, chosen)
    with exclusive(out):
        state = _load_state(out)
        to_execute = [run for run in runs if force or not _is_current(run, state, out)]
        if to_execute:
            _execute_and_publish(runs, to_execute, data, out, notebooks, jobs, state)
    return BuildReport([r.name for r in to_execute], [r.name for r in runs if r not in to_execute],
                       time.monotonic() - began)


def _is_current(run: Run, state: dict, out: Path) -> bool:
    """Built before with the same key, and every file it made is still there."""
    entry = state["runs"].get(run.name)
    return bool(entry) and entry["key"] == run.key and all((out / p).is_file() for p in entry["products"])


def _execute_and_publish(runs: list[Run], to_execute: list[Run], data: Path, out: Path, notebooks: Path,
                         jobs: int, state: dict) -> None:
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-staging-", dir=out.parent))
    try:
        _execute_all(to_execute, staging, jobs, out.with_name(out.name + ".failed"), notebooks)
        new = _assemble(runs, to_execute, staging, out, state)
        from .site import render_site

        render_site(new, data)
        state["runs"].update({run.name: {"key": run.key, "products": run.products} for run in to_execute})
        (new / STATE_FILE).write_text(json.dumps(state, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        _publish(new, out)
        defaults = (data, out, notebooks) == tuple(p.resolve() for p in (paths.DATA_DIR, paths.OUTPUTS_DIR,
                                                                          paths.NOTEBOOKS_DIR))
        if defaults:
            _store_outputs_in_notebooks(to_execute, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

"""Shared fixtures: a copy of the real dataset that a test may break, and a CSV editor for it."""

from __future__ import annotations

import csv
import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis import paths
from analysis.build import build, skip_iri_grammar

skip_iri_grammar()


@pytest.fixture(scope="session")
def dataset():
    from analysis import load_dataset

    return load_dataset()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, target, ignore=shutil.ignore_patterns("_work"))  # audits in progress stay put
    return target


def edit_cell(folder: Path, file: str, row: int, column: str, value: str) -> None:
    """Set one cell (row 1 = first data row) of a CSV in `folder`."""
    path = folder / file
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
        fields = list(rows[0].keys())
    rows[row - 1][column] = value
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# Tiny notebooks for pipeline tests: a build of these takes seconds, not the real notebooks' minute. Their site
# is a one-page stand-in: the real book is built and tested in test_site.py and test_committed_outputs.py.
def quick_site(out_root: Path, data_dir: Path) -> None:
    site = out_root / "site"
    site.mkdir(parents=True, exist_ok=True)
    names = sorted(path.stem for path in (out_root / "notebooks").glob("*.ipynb"))
    (site / "index.html").write_text("\n".join(names) + "\n", encoding="utf-8")


QUICK_SITE = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
              "import analysis.site, conftest; analysis.site.render_site = conftest.quick_site\n")


@pytest.fixture
def stand_in_site(monkeypatch):
    import analysis.site

    monkeypatch.setattr(analysis.site, "render_site", quick_site)


KERNEL = {"kernelspec": {"name": paths.KERNEL_NAME, "display_name": "Python", "language": "python"}}


def notebook(*sources: str, population: bool = False) -> dict:
    parameters = "data_dir = None  # dataset\nout_dir = None  # outputs"
    if population:
        parameters += '\npopulation = "children"  # children or adults'
    cells = [{"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": parameters,
              "outputs": [], "execution_count": None}]
    cells += [{"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None}
              for source in sources]
    return {"cells": cells, "metadata": KERNEL, "nbformat": 4, "nbformat_minor": 4}


# Plain Python, no pandas: a kernel that starts and runs this takes about a second.
SAVE_COUNT = ("import csv, pathlib\n"
              "with open(pathlib.Path(data_dir) / 'treatments.csv', encoding='utf-8') as handle:\n"
              "    n = len(list(csv.reader(handle))) - 1\n"
              "target = pathlib.Path(out_dir) / 'tables' / (NAME + '.csv')\n"
              "target.parent.mkdir(parents=True, exist_ok=True)\n"
              "target.write_text(f'treatments\\n{n}\\n', encoding='utf-8')\nprint(n)")


def write(folder: Path, name: str, book: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(book), encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path, data_copy: Path) -> dict[str, Path]:
    notebooks = _tiny_notebooks(tmp_path / "notebooks")
    return {"notebooks": notebooks, "data": data_copy, "out": tmp_path / "out"}


# How the kernel talks to the build: Unix sockets, never TCP ports that parallel kernels can race for.
PRINT_TRANSPORT = "from ipykernel import get_connection_info\nprint(get_connection_info(unpack=True)['transport'])"


def _tiny_notebooks(folder: Path) -> Path:
    write(folder, "01-count.ipynb", notebook(SAVE_COUNT.replace("NAME", "'01-count'"), PRINT_TRANSPORT))
    write(folder, "02-by-population.ipynb",
          notebook(SAVE_COUNT.replace("NAME", "f'02-count-{population}'"), population=True))
    return folder


def run(project: dict[str, Path], **options):
    return build(project["data"], project["out"], notebooks_dir=project["notebooks"], jobs=2, **options)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def built_template(tmp_path_factory, worker_id) -> Path:
    """The tiny project built once per test run (pytest-xdist's workers share it through their common temporary
    folder, under a lock); `built` hands each test its own copy."""
    import analysis.site

    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    root = shared / "built-template"
    with open(shared / "built-template.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "report.json").exists():
            shutil.rmtree(root, ignore_errors=True)
            shutil.copytree(paths.DATA_DIR, root / "data", ignore=shutil.ignore_patterns("_work"))
            _tiny_notebooks(root / "notebooks")
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(analysis.site, "render_site", quick_site)
                report = run({"notebooks": root / "notebooks", "data": root / "data", "out": root / "out"})
            (root / "report.json").write_text(json.dumps({"executed": report.executed}), encoding="utf-8")
    return root


@pytest.fixture
def built(tmp_path: Path, built_template: Path) -> dict[str, Path]:
    """A tiny project with a previous build in `out`, as a user has after `make figures`."""
    root = tmp_path / "built"
    shutil.copytree(built_template, root, symlinks=True)
    return {"notebooks": root / "notebooks", "data": root / "data", "out": root / "out"}


def start_slow_build(project: dict[str, Path], **popen_options) -> subprocess.Popen:
    """`python -m analysis build` (one job) on the project plus a notebook that sleeps, returned once that
    notebook's cell is running in its kernel (it touches a marker first), so a test can interrupt it there."""
    marker = project["out"].parent / "slow-cell-running"
    write(project["notebooks"], "03-slow.ipynb",
          notebook(f"import pathlib, time\npathlib.Path({str(marker)!r}).touch()\ntime.sleep(120)"))
    script = ("import sys; from analysis.__main__ import main; import analysis.build as b; "
              f"b.paths.NOTEBOOKS_DIR = __import__('pathlib').Path({str(project['notebooks'])!r}); "
              "sys.exit(main(sys.argv[1:]))")
    arguments = ["build", "--data", str(project["data"]), "--out", str(project["out"]), "--jobs", "1"]
    process = subprocess.Popen([sys.executable, "-c", script, *arguments], stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "CI": "true"}, **popen_options)
    deadline = time.monotonic() + 120
    while not marker.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"the slow notebook never started: {process.communicate()[1]}")
        time.sleep(0.05)
    return process

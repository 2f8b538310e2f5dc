"""Fault cases of the pipeline: a bad --out or --jobs is refused before anything runs, a filtered build keeps the
other population, a kill at any step of publishing leaves outputs whole, SIGTERM stops workers and kernels."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from conftest import QUICK_SITE, edit_cell, run, snapshot, start_slow_build

from analysis import build as pipeline
from analysis import paths
from analysis.build import BuildError, build

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("stand_in_site")]


def _refused(project, out: Path, match: str, **options) -> None:
    began = time.monotonic()
    with pytest.raises(BuildError, match=match):
        build(project["data"], out, notebooks_dir=project["notebooks"], jobs=1, **options)
    assert time.monotonic() - began < 10, "the refusal came after the notebooks ran"
    assert not list(out.parent.glob(f".{out.name}-staging-*"))


def test_out_that_is_a_file_is_refused_and_kept(project, tmp_path):
    target = tmp_path / "report.txt"
    target.write_text("mine", encoding="utf-8")
    _refused(project, target, "is a file, not a folder")
    assert target.read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize(("where", "what"), [
    (lambda p: p["data"], "is the data folder or inside it"),
    (lambda p: p["data"] / "sub", "is the data folder or inside it"),
    (lambda p: p["notebooks"] / "out", "is the notebooks folder or inside it"),
    (lambda p: paths.PROJECT_ROOT / "src" / "out", "is the source folder or inside it"),
    (lambda p: p["data"].parent, "holds the data folder"),
])
def test_out_inside_or_around_project_folders_is_refused(project, where, what):
    _refused(project, where(project), what)


def test_out_with_foreign_files_is_refused(project, tmp_path):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "thesis.docx").write_text("years of work", encoding="utf-8")
    _refused(project, folder, r"holds files a build did not make \(thesis.docx\)")
    assert (folder / "thesis.docx").read_text(encoding="utf-8") == "years of work"


def test_unwritable_out_is_refused(project, tmp_path, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr(pipeline.tempfile, "TemporaryFile", refuse)
    _refused(project, tmp_path / "out", "cannot be written: .* refuses new files \\(Read-only file system\\)")


def test_mount_point_is_refused(project, tmp_path, monkeypatch):
    (tmp_path / "mounted").mkdir()
    monkeypatch.setattr(pipeline.os.path, "ismount", lambda path: str(path).endswith("mounted"))
    _refused(project, tmp_path / "mounted", "is a mount point")


@pytest.mark.parametrize("jobs", [0, -1, 33, 10**20])
def test_jobs_out_of_range_is_refused(project, jobs):
    with pytest.raises(BuildError, match=f"--jobs must be a whole number from 1 to 32, not {jobs}"):
        build(project["data"], project["out"], notebooks_dir=project["notebooks"], jobs=jobs)


@pytest.mark.parametrize("arguments", [["--jobs", "0"], ["--jobs", str(10**20)], ["--out", "README.md"]])
def test_command_line_refusals_have_no_traceback(arguments):
    result = subprocess.run([sys.executable, "-m", "analysis", "build", *arguments], capture_output=True, text=True,
                            cwd=paths.PROJECT_ROOT, timeout=60)
    assert result.returncode == 1
    assert "build failed:" in result.stderr and "Traceback" not in result.stderr


def test_filtered_build_keeps_the_other_population(built):
    children = {name for name in snapshot(built["out"]) if "children" in name}
    assert children
    edit_cell(built["data"], "treatments.csv", 1, "name", "Methylphenidate (renamed)")
    report = run(built, parameter_options=["population=adults"])
    assert sorted(report.executed) == ["01-count", "02-by-population-adults"]
    after = snapshot(built["out"])
    assert children <= set(after)
    state = json.loads((built["out"] / pipeline.STATE_FILE).read_text(encoding="utf-8"))
    assert "02-by-population-children" in state["runs"]
    assert sorted(run(built).executed) == ["02-by-population-children"]  # stale children now rebuilt


def test_site_only_change_renders_without_running_kernels(built, monkeypatch):
    monkeypatch.setattr(pipeline, "site_digest", lambda runs, data: "another site")
    report = run(built)
    assert report.executed == [] and report.site_rendered
    assert run(built).site_rendered is False


def test_site_code_is_not_a_notebook_input():
    package = Path(pipeline.__file__).resolve().parent
    assert pipeline._is_site_code(package / "site" / "templates" / "page.html")
    assert pipeline._is_site_code(package / "site.py")
    assert not pipeline._is_site_code(package / "plots.py")


CRASH = """
import os, pathlib, sys
import analysis.build as b
""" + QUICK_SITE + """
data, out, notebooks, where = sys.argv[1:]
b.site_digest = lambda runs, data: "a new site"  # publish without running a kernel
if where == "after-exchange":
    exchange = b._exchange
    def crash(first, second):
        exchange(first, second)
        os._exit(9)
    b._exchange = crash
else:  # the two-rename fallback, killed between its renames
    b._exchange = lambda first, second: False
    rename = pathlib.Path.rename
    def crash(self, target):
        result = rename(self, target)
        if pathlib.Path(target).name == b.PREVIOUS:
            os._exit(9)
        return result
    pathlib.Path.rename = crash
b.build(data, out, notebooks_dir=notebooks, jobs=1)
"""


@pytest.mark.parametrize("where", ["after-exchange", "between-fallback-renames"])
def test_kill_during_publishing_is_recovered(built, where):
    before = snapshot(built["out"])
    result = subprocess.run([sys.executable, "-c", CRASH, str(built["data"]), str(built["out"]),
                             str(built["notebooks"]), where], capture_output=True, text=True, timeout=300)
    assert result.returncode == 9, result.stderr
    leftovers = pipeline._leftovers(built["out"])
    assert leftovers, "the crash should have left a staging folder"
    if where == "after-exchange":
        assert built["out"].is_dir(), "an exchange never leaves --out missing"
        expected = snapshot(built["out"])
    else:
        assert not built["out"].exists()
        expected = before
    done = pipeline.recover_interrupted(built["out"])
    assert any(line.startswith("removed") for line in done)
    assert snapshot(built["out"]) == expected
    assert pipeline._leftovers(built["out"]) == []


def test_leftover_of_an_older_build_is_restored(built):
    before = snapshot(built["out"])
    stranded = built["out"].with_name(".out-previous-12345")
    built["out"].rename(stranded)
    report = run(built)
    assert report.recovered[0].startswith(f"restored {built['out']}")
    assert report.executed == [] and snapshot(built["out"]) == before and not stranded.exists()


def test_sigterm_stops_workers_and_kernels_and_keeps_outputs(built):
    before = snapshot(built["out"])
    process = start_slow_build(built)
    descendants = psutil.Process(process.pid).children(recursive=True)
    assert descendants, "the build should have a worker and a kernel running"
    process.send_signal(signal.SIGTERM)  # to the build alone, as a service manager would
    _, rest = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, rest
    assert "interrupted; the previous outputs are untouched" in rest
    _, alive = psutil.wait_procs(descendants, timeout=15)
    assert not alive, f"left running: {[p.cmdline()[:3] for p in alive]}"
    assert snapshot(built["out"]) == before
    assert pipeline._leftovers(built["out"]) == []


def test_unselected_runs_need_no_previous_build(project):
    report = run(project, parameter_options=["population=children"])
    assert sorted(report.executed) == ["01-count", "02-by-population-children"]
    assert not (project["out"] / "tables" / "02-count-adults.csv").exists()


"""Fault cases of the pipeline: a bad --out or --jobs is refused before anything runs, a filtered build keeps the
other population, a kill at any step of publishing leaves outputs whole, SIGTERM or SIGKILL stops workers and
kernels, a cell that hangs is stopped, a full disk is one line, and neither HOME nor TMPDIR matters."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest
from conftest import QUICK_SITE, edit_cell, notebook, quick_site, run, snapshot, start_slow_build, write

import analysis.site
from analysis import build as pipeline
from analysis import paths, workers
from analysis.build import BuildError, build
from analysis.notebook_files import write_notebook

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("stand_in_site")]


def _refused(project, out: Path, match: str, **options) -> None:
    began = time.monotonic()
    with pytest.raises(BuildError, match=match):
        build(project["data"], out, notebooks_dir=project["notebooks"], jobs=1, **options)
    assert time.monotonic() - began < 10, "the refusal came after the notebooks ran"
    assert not pipeline._leftovers(out)


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


@pytest.mark.parametrize("arguments", [["--jobs", "0"], ["--jobs", str(10**20)], ["--out", "README.md"],
                                       ["--timeout", "nan"]])
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


@pytest.mark.parametrize("leftover", [".out-previous-12345", ".out-staging-k2_x9q0a/previous"])
def test_leftover_of_an_older_build_is_restored(built, leftover):
    """Builds before the work folder left these beside --out: they are recognised by their exact names."""
    before = snapshot(built["out"])
    stranded = built["out"].parent / leftover
    stranded.parent.mkdir(exist_ok=True)
    built["out"].rename(stranded)
    old_lock = built["out"].with_name(".out.lock")
    old_lock.touch()
    report = run(built)
    assert report.recovered[0].startswith(f"restored {built['out']}")
    assert report.executed == [] and snapshot(built["out"]) == before
    assert not stranded.exists() and not old_lock.exists() and pipeline._leftovers(built["out"]) == []


@pytest.mark.parametrize("name", [".out.build", "out.failed"])
def test_names_builds_keep_for_their_own_folders_are_refused(project, tmp_path, name):
    _refused(project, tmp_path / name, "builds keep names like this for their own folders")


def test_a_full_disk_leaves_no_half_written_notebook(tmp_path, monkeypatch):
    target = tmp_path / "notebooks" / "01-a.ipynb"
    write(target.parent, target.name, notebook("x = 1"))
    before = target.read_bytes()

    def full(self, text, **options):
        Path.write_bytes(self, text[:10].encode())
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(OSError):
        write_notebook(notebook("y = 2"), target)
    assert [path.name for path in target.parent.iterdir()] == [target.name] and target.read_bytes() == before


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



@pytest.mark.parametrize("inside", ["tables", "site", "tables/01-count.csv"])
def test_symbolic_link_inside_out_is_refused_before_anything_runs(built, tmp_path, inside):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "01-count.csv").write_text("mine", encoding="utf-8")
    link = built["out"] / inside
    shutil.rmtree(link) if link.is_dir() else link.unlink()
    link.symlink_to(elsewhere if inside in ("tables", "site") else elsewhere / "01-count.csv")
    _refused(built, built["out"], f"out/{inside} is a symbolic link \\(to {elsewhere}", force=True)
    assert (elsewhere / "01-count.csv").read_text(encoding="utf-8") == "mine"


def test_out_owned_by_another_user_is_refused(built, monkeypatch):
    someone_else = os.geteuid() + 1
    monkeypatch.setattr(pipeline.os, "geteuid", lambda: someone_else)
    _refused(built, built["out"], f"out belongs to another user \\(uid {os.stat(built['out']).st_uid}, you are "
                                  f"{someone_else}\\)")


def test_out_with_a_folder_you_cannot_write_is_refused(built, monkeypatch):
    # Simulated: as root, the machine's test user, every folder is writable
    locked, access = built["out"] / "tables", os.access
    monkeypatch.setattr(pipeline.os, "access", lambda path, mode: Path(path) != locked and access(path, mode))
    _refused(built, built["out"], "out/tables is not writable by you")


@pytest.mark.parametrize(("name", "sibling"), [("x", "x-staging-y"), ("q", "q-previous-1")])
def test_output_folders_with_related_names_leave_each_other_alone(built, monkeypatch, name, sibling):
    """A build of `name` runs while one of `sibling` is publishing (its lock held, its staging folder full)."""
    out, other = built["out"].with_name(name), built["out"].with_name(sibling)
    shutil.copytree(built["out"], out)
    shutil.copytree(built["out"], other)
    monkeypatch.setattr(pipeline, "site_digest", lambda runs, data: "a new site")  # both publish, no kernel runs
    nested = []

    def render_and_build_the_other(out_root, data_dir):
        quick_site(out_root, data_dir)
        if not nested:
            nested.append("started")
            nested.append(run({**built, "out": out}))

    monkeypatch.setattr(analysis.site, "render_site", render_and_build_the_other)
    run({**built, "out": other})
    assert nested[1].site_rendered
    for folder in (other, out, other):  # and later builds of either
        assert run({**built, "out": folder}).recovered == []
    assert snapshot(out) == snapshot(other)
    assert pipeline._leftovers(out) == pipeline._leftovers(other) == []


def test_cell_running_past_the_timeout_fails_the_build_naming_it(built):
    before = snapshot(built["out"])
    write(built["notebooks"], "03-hangs.ipynb", notebook("x = 1", "import time\ntime.sleep(60)"))
    began = time.monotonic()
    with pytest.raises(BuildError) as error:
        run(built, timeout=1)
    assert time.monotonic() - began < 30
    assert ("notebook 03-hangs.ipynb (03-hangs) failed at Cell 2 ('import time'), [4] in the kept notebook: "
            "CellTimeout: still running after --timeout 1 s, so it was stopped") in str(error.value)
    assert snapshot(built["out"]) == before


def test_killed_build_takes_its_workers_and_kernels_with_it(built):
    process = start_slow_build(built)
    started = psutil.Process(process.pid).children(recursive=True)
    assert len(started) >= 2, "the build should have a worker and a kernel running"
    process.kill()  # SIGKILL: the build cannot clean up
    process.wait(timeout=30)
    process.stderr.close()
    _, alive = psutil.wait_procs(started, timeout=20)
    left = [leftover.cmdline()[:3] for leftover in alive]
    for leftover in alive:  # processes this test started
        leftover.kill()
    assert not alive, f"left running: {left}"


def test_next_build_stops_what_a_killed_build_left_running(built):
    records = pipeline.work_folder(built["out"]) / pipeline.RECORDS
    stray, stranger = subprocess.Popen(["sleep", "60"]), subprocess.Popen(["sleep", "60"])
    workers.record_process(records, stray.pid, "kernel")
    (records / str(stranger.pid)).write_text("1 kernel\n", encoding="utf-8")  # its pid, another start: not ours
    try:
        report = run(built)
        assert report.recovered == [f"stopped kernel (pid {stray.pid}), left running by a build that was killed"]
        assert stray.wait(timeout=10) == -signal.SIGKILL
        assert stranger.poll() is None, "a process that only shares a recorded pid is left alone"
        assert not records.exists()
    finally:
        stray.kill()
        stranger.kill()


def _full_disk_at(folder: Path):
    """shutil.copyfile as it fails on a full disk under `folder`: an empty file made, then ENOSPC."""
    copy = shutil.copyfile

    def copyfile(source, target, **options):
        if Path(target).parent != folder:
            return copy(source, target, **options)
        Path(target).write_bytes(b"")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))

    return copyfile


def test_full_disk_while_publishing_is_one_line_and_keeps_outputs(built, monkeypatch):
    before = snapshot(built["out"])
    monkeypatch.setattr(pipeline, "site_digest", lambda runs, data: "a new site")  # publish, no kernel runs
    staging_tables = None

    def tables_of_new_tree(source, target, **options):
        nonlocal staging_tables
        staging_tables = Path(target).parent
        return _full_disk_at(staging_tables)(source, target, **options)

    monkeypatch.setattr(shutil, "copyfile", tables_of_new_tree)  # copying the previous outputs into staging
    with pytest.raises(BuildError) as error:
        run(built)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("No space left on device (ENOSPC) in ") and message.endswith(
        ": free some space on that disk, then build again")
    assert str(pipeline.work_folder(built["out"])) in message
    assert snapshot(built["out"]) == before and pipeline._leftovers(built["out"]) == []


def test_full_disk_keeps_no_empty_failed_notebook(built, monkeypatch):
    before = snapshot(built["out"])
    failed = pipeline.failed_folder(built["out"])
    write(built["notebooks"], "03-fails.ipynb", notebook("raise ValueError('deliberate failure')"))
    monkeypatch.setattr(shutil, "copyfile", _full_disk_at(failed))
    with pytest.raises(BuildError) as error:
        run(built)
    assert "03-fails.ipynb (03-fails) failed at Cell 1" in str(error.value)
    assert f"it could not be kept: No space left on device (ENOSPC) in {failed}: free some space" in str(error.value)
    assert not failed.exists() or not list(failed.iterdir()), "an empty notebook hides the cause"
    assert snapshot(built["out"]) == before


def test_failures_of_runs_that_now_succeed_are_forgotten(built):
    failed = pipeline.failed_folder(built["out"])
    failed.mkdir()
    for name in ("01-count.ipynb", "01-count.kernel.log", "02-by-population-adults.ipynb", "99-gone.ipynb"):
        (failed / name).write_text("a failure from a long-past build", encoding="utf-8")
    (failed / "my-notes.txt").write_text("mine", encoding="utf-8")
    run(built)
    assert [path.name for path in failed.iterdir()] == ["my-notes.txt"]
    (failed / "my-notes.txt").unlink()
    run(built)
    assert not failed.exists()


def test_stray_data_file_is_ignored_and_runs_nothing(built):
    (built["data"] / "notes.csv").write_text("secret\nhunter2\n", encoding="utf-8")
    report = run(built)
    assert report.executed == [] and not report.site_rendered
    assert report.warnings == ["data/notes.csv is not a table of the contract (schema.json): ignored, and not "
                               "published"]


def test_build_needs_neither_home_nor_a_short_tmpdir(data_copy, tmp_path, monkeypatch):
    long_tmp = tmp_path / ("t" * 60) / ("m" * 60)  # a kernel socket path under it is over 107 bytes
    long_tmp.mkdir(parents=True)
    monkeypatch.setenv("TMPDIR", str(long_tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    monkeypatch.setenv("HOME", "/dev/null")  # not a folder: matplotlib cannot keep its cache there
    for name in ("MPLCONFIGDIR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    project = {"notebooks": tmp_path / "notebooks", "data": data_copy, "out": tmp_path / "out"}
    write(project["notebooks"], "01-plot.ipynb", notebook("import matplotlib"))
    run(project)
    executed = json.loads((project["out"] / "notebooks" / "01-plot.ipynb").read_text(encoding="utf-8"))
    assert executed["cells"][-1]["outputs"] == [], "a warning with a random path was stored in the notebook"

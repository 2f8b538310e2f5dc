"""The pipeline: parameters refused early, per-population runs, incremental, atomic, interruptible.

The tests run two or three tiny notebooks (conftest), so that they take seconds; determinism and freshness of the
real outputs are checked in test_committed_outputs.py.
"""

from __future__ import annotations

import json
import os
import signal
import sys

import pytest
from conftest import SAVE_COUNT, edit_cell, notebook, run, snapshot, start_slow_build, write

from analysis import build as pipeline
from analysis.build import BuildError, Progress, exclusive

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("stand_in_site")]


def test_unknown_parameter_is_refused_before_any_kernel(project):
    with pytest.raises(BuildError, match="unknown parameter 'colour'; parameters that can be set: population"):
        run(project, parameter_options=["colour=red"])
    assert not project["out"].exists()


def test_invalid_parameter_value_names_the_allowed_values(project):
    refusal = "parameter 'population' cannot be 'elderly'; allowed values: children, adults"
    with pytest.raises(BuildError, match=refusal):
        run(project, parameter_options=["population=elderly"])


def test_repeated_parameter_is_refused(project):
    refusal = "parameter 'population' is given twice \\(population=adults, population=children\\): give it once"
    with pytest.raises(BuildError, match=refusal):
        run(project, parameter_options=["population=adults", "population=children"])


def test_population_notebooks_run_once_per_population(built):
    # `built` is a copy of one real build of the tiny project (conftest.built_template), which recorded its report
    report = json.loads((built["out"].parent / "report.json").read_text(encoding="utf-8"))
    assert sorted(report["executed"]) == ["01-count", "02-by-population-adults", "02-by-population-children"]
    tables = built["out"] / "tables"
    assert {p.name for p in tables.iterdir()} == {"01-count.csv", "02-count-adults.csv", "02-count-children.csv"}
    executed = json.loads((built["out"] / "notebooks" / "02-by-population-adults.ipynb").read_text())
    injected = [c for c in executed["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert injected[0]["source"] == "# Parameters of this build\npopulation = 'adults'"
    assert "/tmp" not in json.dumps(executed), "an absolute path leaked into a published notebook"
    assert (built["out"] / "site" / "index.html").is_file()


def test_kernels_talk_over_unix_sockets_not_racing_for_ports(built):
    executed = json.loads((built["out"] / "notebooks" / "01-count.ipynb").read_text())
    assert "".join(executed["cells"][-1]["outputs"][0]["text"]) == "ipc\n"


def test_incremental_build_reruns_only_what_changed(built, monkeypatch):
    again = run(built)
    assert again.executed == [] and len(again.skipped) == 3
    book = notebook(SAVE_COUNT.replace("NAME", "'01-count'") + "\nprint('changed')")
    write(built["notebooks"], "01-count.ipynb", book)
    assert run(built).executed == ["01-count"]
    # What is decided next is checked without running kernels: executing is tested above and in test_build_safety.
    monkeypatch.setattr(pipeline, "_execute_and_publish", lambda *args: None)
    edit_cell(built["data"], "treatments.csv", 1, "name", "Methylphenidate (renamed)")
    assert len(run(built).executed) == 3
    edit_cell(built["data"], "treatments.csv", 1, "name", "Methylphenidate")
    assert run(built).executed == []
    assert len(run(built, force=True).executed) == 3


def test_bad_data_leaves_outputs_untouched(built):
    before = snapshot(built["out"])
    edit_cell(built["data"], "claims.csv", 1, "verdict", "maybe")
    with pytest.raises(BuildError, match="claims.csv, row 1 \\(line 2\\), column 'verdict'"):
        run(built, force=True)
    assert snapshot(built["out"]) == before


def test_failing_notebook_names_the_cell_and_keeps_it(built):
    before = snapshot(built["out"])
    write(built["notebooks"], "03-fails.ipynb", notebook("x = 1", "raise ValueError('deliberate failure')"))
    with pytest.raises(BuildError) as error:
        run(built)
    message = str(error.value)
    # Cell 2: nbval's numbering (code cells from 0); [4]: the execution count, papermill's injected cell counted
    expected = ("notebook 03-fails.ipynb (03-fails) failed at Cell 2 (\"raise ValueError('deliberate failure')\"), "
                "[4] in the kept notebook: "
                "ValueError: deliberate failure")
    assert expected in message
    kept = built["out"].with_name("out.failed") / "03-fails.ipynb"
    assert kept.is_file() and "deliberate failure" in kept.read_text()
    assert snapshot(built["out"]) == before


def test_interrupted_build_leaves_outputs_untouched(built):
    before = snapshot(built["out"])
    process = start_slow_build(built, start_new_session=True)
    os.killpg(process.pid, signal.SIGINT)
    _, rest = process.communicate(timeout=60)
    assert process.returncode == 130, rest
    assert "interrupted; the previous outputs are untouched" in rest
    assert snapshot(built["out"]) == before
    assert not pipeline._leftovers(built["out"])


def test_second_build_on_the_same_outputs_is_refused(project):
    with exclusive(project["out"].resolve()), pytest.raises(BuildError, match="another build is writing"):
        run(project)


def test_progress_prints_plain_lines_off_a_terminal(capsys):
    progress = Progress(2, stream=sys.stdout)
    progress.started("01-a")
    progress.finished("01-a", 1.25, True)
    assert capsys.readouterr().out == "build: started 01-a\nbuild: finished 01-a in 1.2 s (1/2)\n"

"""The committed build manifest is data, never trusted: a manifest of the wrong shape counts as none, a path
that leads out of --out is ignored, and the hashes it records are checked, so that a build with nothing changed
repairs outputs that are missing or were edited (the hint "run make figures" always works)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run, snapshot

from analysis import build as pipeline
from analysis.build import STATE_FILE, sha256_of

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("stand_in_site")]
ALL_RUNS = ["01-count", "02-by-population-adults", "02-by-population-children"]


def manifest(out: Path) -> dict:
    return json.loads((out / STATE_FILE).read_text(encoding="utf-8"))


def save_manifest(out: Path, state: object) -> None:
    (out / STATE_FILE).write_text(json.dumps(state), encoding="utf-8")


def test_manifest_paths_that_leave_out_are_ignored(built, tmp_path):
    victims = [built["out"].parent / "victim.txt", tmp_path / "elsewhere" / "absolute-victim.txt"]
    for victim in victims:
        victim.parent.mkdir(exist_ok=True)
        victim.write_text("keep me", encoding="utf-8")
    state = manifest(built["out"])
    state["runs"]["99-removed-notebook"] = {"key": "x", "products": ["../victim.txt", str(victims[1]),
                                                                     "tables/../../victim.txt"]}
    state["runs"]["01-count"]["products"].append("../victim.txt")
    state["site"] = "out of date"  # so that the build publishes, without running a kernel
    save_manifest(built["out"], state)
    report = run(built)
    assert [victim.read_text(encoding="utf-8") for victim in victims] == ["keep me"] * 2
    assert report.executed == [] and report.site_rendered
    assert len(report.warnings) == 1
    assert report.warnings[0].startswith(f"out/{STATE_FILE}: ignored 4 path(s) that do not stay inside out/ (")
    assert "99-removed-notebook" not in manifest(built["out"])["runs"]


@pytest.mark.parametrize("broken", [[], None, "text", {"runs": []}, {"runs": {"01-count": "key"}},
                                    {"runs": {"01-count": {"key": "k", "products": 5}}}, {"runs": {}, "files": []}])
def test_manifest_of_the_wrong_shape_counts_as_none(built, monkeypatch, broken):
    save_manifest(built["out"], broken)
    monkeypatch.setattr(pipeline, "_execute_and_publish", lambda *args: None)  # what runs is decided before
    report = run(built)
    assert sorted(report.executed) == ALL_RUNS
    assert len(report.warnings) == 1 and report.warnings[0].startswith(f"out/{STATE_FILE} is not a build manifest (")
    assert report.warnings[0].endswith("); treated as missing, so every notebook runs")


def test_no_change_build_repairs_missing_edited_and_added_files(built):
    before = snapshot(built["out"])
    (built["out"] / "site" / "index.html").unlink()
    (built["out"] / "tables" / "01-count.csv").write_text("treatments\n999\n", encoding="utf-8")
    (built["out"] / "tables" / "by-hand.csv").write_text("a\n1\n", encoding="utf-8")
    report = run(built)
    assert report.repaired == ["site/index.html (missing)", "tables/01-count.csv (edited)",
                               "tables/by-hand.csv (not made by the build: removed)"]
    assert report.executed == ["01-count"], "only the notebook that made the edited table runs again"
    assert snapshot(built["out"]) == before
    assert run(built).repaired == []


def test_edited_stored_notebook_is_made_again(built, monkeypatch, tmp_path):
    store = tmp_path / "stored"
    store.mkdir()
    (store / "01-count.ipynb").write_text("outputs cleared by hand", encoding="utf-8")
    state = manifest(built["out"])
    state["stored_notebooks"] = {"01-count.ipynb": sha256_of(b"the notebook as the build stored it")}
    save_manifest(built["out"], state)
    monkeypatch.setattr(pipeline, "_execute_and_publish", lambda *args: None)
    report = run(built, store_notebooks_in=store)
    assert report.executed == ["01-count"]
    assert report.repaired == ["stored outputs of 01-count.ipynb in stored/ (edited)"]

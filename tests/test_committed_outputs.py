"""What is committed is what the code makes: outputs/ and the notebooks' stored outputs match the inputs.

nbval compares only the text outputs of cells. The build records in outputs/build-manifest.json the input key of
every run (a hash of its notebook, the data, the package code, the lock file and its parameters), the site's key
and the SHA-256 of every file it wrote; these tests recompute the keys from the committed inputs and the hashes
from the committed files. Changing a number in data/ without `make figures` fails here.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import edit_cell

from analysis import paths
from analysis.build import STATE_FILE, stale_outputs

HINT = ("run `make figures` (it rebuilds outputs/ and the stored outputs of notebooks/ from the committed data "
        "and code), then commit outputs/ and notebooks/")


def test_committed_outputs_are_what_the_code_makes():
    stale = stale_outputs()
    assert not stale, f"{len(stale)} committed output(s) are stale:\n  " + "\n  ".join(stale[:12]) + f"\n{HINT}"


@pytest.fixture
def project_copy(tmp_path: Path) -> dict[str, Path]:
    """The committed data, notebooks and outputs, copied so a test can make them stale."""
    copies = {}
    for name, source in (("data", paths.DATA_DIR), ("notebooks", paths.NOTEBOOKS_DIR), ("outputs", paths.OUTPUTS_DIR)):
        copies[name] = tmp_path / name
        shutil.copytree(source, copies[name])
    return copies


def stale_in(copy: dict[str, Path]) -> list[str]:
    return stale_outputs(copy["data"], copy["outputs"], copy["notebooks"])


def test_a_data_change_without_a_rebuild_is_caught(project_copy):
    assert stale_in(project_copy) == []
    text = (project_copy["data"] / "adverse_effects.csv").read_text(encoding="utf-8")
    row = next(n for n, line in enumerate(text.splitlines()) if line.startswith("ae-") and ",clonidine," in line)
    edit_cell(project_copy["data"], "adverse_effects.csv", row, "incidence_drug_pct", "99")
    stale = stale_in(project_copy)
    assert "01-claims-audit: its notebook, the data, the package code or the lock file changed since it was built" \
        in stale
    assert "site: its code, the data or a notebook run changed since it was rendered" in stale


def test_edited_missing_and_extra_outputs_are_caught(project_copy):
    out = project_copy["outputs"]
    figure = next(iter(sorted((out / "figures").glob("*.png"))))
    figure.write_bytes(figure.read_bytes() + b"x")
    table = next(iter(sorted((out / "tables").glob("*.csv"))))
    table.unlink()
    (out / "tables" / "by-hand.csv").write_text("a\n1\n", encoding="utf-8")
    notebook = next(iter(sorted(project_copy["notebooks"].glob("0*.ipynb"))))
    book = json.loads(notebook.read_text(encoding="utf-8"))
    book["cells"][0]["source"] = "# edited"
    notebook.write_text(json.dumps(book), encoding="utf-8")
    stale = stale_in(project_copy)
    assert f"outputs/figures/{figure.name}: edited since the build" in stale
    assert f"outputs/tables/{table.name}: missing (the build wrote it)" in stale
    assert "outputs/tables/by-hand.csv: not made by the build" in stale
    assert f"notebooks/{notebook.name}: its stored outputs are not the ones the build wrote" in stale


def test_outputs_without_a_manifest_are_stale(project_copy):
    (project_copy["outputs"] / STATE_FILE).unlink()
    assert stale_in(project_copy)[0].endswith("is missing: no build recorded these outputs")

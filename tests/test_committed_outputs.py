"""What is committed is what the code makes: outputs/ and the notebooks' stored outputs equal a fresh build.

nbval compares only the text outputs of cells; this compares every file, figures included, byte for byte. It
is also the determinism check: the committed files were made by an earlier build, on another day.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis import paths
from analysis.build import STATE_FILE, build

pytestmark = pytest.mark.slow

HINT = ("run `make figures` (it rebuilds outputs/ and the stored outputs of notebooks/ from the committed data "
        "and code), then commit outputs/ and notebooks/")


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file() and path.name != STATE_FILE}


def stale_files(committed: dict[str, bytes], fresh: dict[str, bytes]) -> list[str]:
    def why(name: str) -> str:
        return "not made by the build" if name not in fresh else "missing" if name not in committed else "differs"

    return [f"{name} ({why(name)})" for name in sorted(set(committed) | set(fresh))
            if committed.get(name) != fresh.get(name)]


@pytest.fixture(scope="session")
def fresh_build(tmp_path_factory) -> dict[str, Path]:
    """The project's own data and notebooks built once into a temporary folder; outputs/ is not touched."""
    root = tmp_path_factory.mktemp("fresh")
    build(paths.DATA_DIR, root / "outputs", force=True, jobs=2, store_notebooks_in=root / "notebooks")
    return {"outputs": root / "outputs", "notebooks": root / "notebooks"}


def test_committed_outputs_are_what_the_code_makes(fresh_build):
    stale = stale_files(files_under(paths.OUTPUTS_DIR), files_under(fresh_build["outputs"]))
    assert not stale, f"{len(stale)} file(s) in outputs/ are stale: {'; '.join(stale[:8])}. {HINT}"


def test_committed_notebooks_store_what_the_code_makes(fresh_build):
    committed = {path.name: path.read_bytes() for path in paths.NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb")}
    fresh = {path.name: path.read_bytes() for path in fresh_build["notebooks"].glob("*.ipynb")}
    stale = stale_files(committed, fresh)
    assert not stale, f"stored outputs of {len(stale)} notebook(s) are stale: {'; '.join(stale)}. {HINT}"


def test_stale_files_names_each_kind_of_difference():
    assert stale_files({"a": b"1", "b": b"2", "c": b"3"}, {"a": b"1", "b": b"x", "d": b"4"}) == [
        "b (differs)", "c (not made by the build)", "d (missing)"]

"""`pip install .` gives a package that carries its dataset: built as a wheel, installed into a fresh virtual
environment that holds nothing but pandas and what pandas needs, and used from another folder.

The fresh environment sees no other site-packages; pandas and its dependencies (the lock's versions) are linked
into it from the project's environment, so the test needs no network and no unpacking.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import distribution
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from test_environment import pins

from analysis import paths

PROJECT_FILES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE")


def test_every_dependency_and_extra_is_pinned_in_the_lock():
    project = tomllib.loads((paths.PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lock = pins((paths.PROJECT_ROOT / "requirements.lock").read_text(encoding="utf-8"))
    needed = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    names = {canonicalize_name(Requirement(requirement).name) for requirement in needed}
    assert names - {canonicalize_name(name) for name in lock} == set()
    assert [Requirement(r).name for r in project["dependencies"]] == ["pandas"]
    assert {"notebooks", "book", "dev"} <= set(project["optional-dependencies"])


def runtime_distributions(root: str = "pandas") -> list:
    """`root` and every distribution it needs on this platform, as installed here (the lock's versions)."""
    found: dict = {}
    waiting = [root]
    while waiting:
        dist = distribution(waiting.pop())
        name = canonicalize_name(dist.metadata["Name"])
        if name in found:
            continue
        found[name] = dist
        for text in dist.requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                waiting.append(requirement.name)
    return [found[name] for name in sorted(found)]


def fresh_environment(folder: Path) -> Path:
    """A virtual environment that sees no other site-packages and holds only pandas and what it needs: linked
    from this environment (no download, no unpacking), so that pip counts them as installed."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    site = next(folder.glob("lib/python3*/site-packages"))
    for dist in runtime_distributions():
        tops = {Path(str(file)).parts[0] for file in dist.files or [] if not str(file).startswith("..")}
        for top in sorted(tops):
            (site / top).symlink_to(Path(dist.locate_file(top)))
    return folder / "bin" / "python"


USE_IT = """
import importlib.util, json, pydoc, sys
import analysis
from analysis import paths
data = analysis.load_dataset()
elsewhere = analysis.load_dataset(sys.argv[1])
rows = analysis.estimates(outcome="dropout_adverse_events", population="adults", treatment="methylphenidate")
try:
    analysis.plots
    plots = "imported"
except ImportError as error:
    plots = str(error)
print(json.dumps({
    "package": analysis.__file__, "data_dir": str(paths.DATA_DIR),
    "claims": len(data["claims"]), "claims_elsewhere": len(elsewhere["claims"]),
    "measures": sorted(rows["measure"].astype(str)), "public": sorted(n for n in dir(analysis) if n[0] != "_"),
    "help_names_estimates": "estimates(" in pydoc.render_doc(analysis, renderer=pydoc.plaintext),
    "installed": {name: importlib.util.find_spec(name) is not None
                  for name in ("pandas", "matplotlib", "papermill", "sphinx", "jupyterlab")},
    "plots": plots,
}))
"""


@pytest.mark.slow
def test_the_wheel_carries_the_dataset_and_loads_it_from_any_folder(tmp_path, dataset):
    source = tmp_path / "source"
    source.mkdir()
    for name in PROJECT_FILES:
        shutil.copy2(paths.PROJECT_ROOT / name, source / name)
    ignored = shutil.ignore_patterns("__pycache__", "*.egg-info", "_work")
    shutil.copytree(paths.PROJECT_ROOT / "src", source / "src", ignore=ignored)
    shutil.copytree(paths.DATA_DIR, source / "data", ignore=ignored)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-index", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(tmp_path / "dist"), str(source)], check=True, cwd=tmp_path)
    wheel = next((tmp_path / "dist").glob("ketamine_adhd_evidence-*.whl"))
    members = set(zipfile.ZipFile(wheel).namelist())
    committed = {path.name for path in paths.DATA_DIR.iterdir() if path.is_file()}
    assert {f"analysis/dataset/{name}" for name in committed} <= members
    assert "analysis/site/sphinx/conf.py" in members and not any(m.startswith("data/") for m in members)

    environment = tmp_path / "venv"
    python = fresh_environment(environment)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-index",
                    "--no-compile", str(wheel)], check=True)

    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(paths.DATA_DIR, elsewhere / "my-data", ignore=ignored)
    environment_variables = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run([str(python), "-c", USE_IT, "my-data"], cwd=elsewhere, env=environment_variables,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["package"].startswith(str(environment)) and report["data_dir"].startswith(str(environment))
    assert report["claims"] == report["claims_elsewhere"] == len(dataset["claims"])
    assert report["measures"] == ["OR", "RR"]
    assert report["installed"] == {"pandas": True, "matplotlib": False, "papermill": False, "sphinx": False,
                                   "jupyterlab": False}
    assert "plots" not in report["public"] and "estimates" in report["public"] and report["help_names_estimates"]
    assert report["plots"] == ("analysis.plots needs the notebooks extra: "
                               "pip install 'ketamine-adhd-evidence[notebooks]'")

"""The conda environment and the lock file must name the same versions."""

from __future__ import annotations

import re

from analysis import paths


def pins(text: str) -> dict[str, str]:
    return {name.lower(): version for name, version in re.findall(r"([A-Za-z0-9_.\-]+)==([^\s#]+)", text)}


def test_environment_matches_lock():
    lock = pins((paths.PROJECT_ROOT / "requirements.lock").read_text(encoding="utf-8"))
    conda = pins((paths.PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert conda, "environment.yml names no pinned packages"
    drift = {name: (version, lock.get(name)) for name, version in conda.items() if lock.get(name) != version}
    assert drift == {}, f"environment.yml and requirements.lock disagree (yml, lock): {drift}"


def test_core_packages_are_pinned_in_both():
    lock = pins((paths.PROJECT_ROOT / "requirements.lock").read_text(encoding="utf-8"))
    conda = pins((paths.PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8"))
    for package in ("jupyterlab", "pandas", "matplotlib", "seaborn", "nbval", "papermill", "pytest", "frictionless"):
        assert package in lock and package in conda, package

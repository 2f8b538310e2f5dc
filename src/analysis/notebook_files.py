"""Read notebooks' parameters and clean executed notebooks of what varies between runs.

Kept apart from the build so that the build can decide what to run without importing papermill.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import json
from pathlib import Path

VOLATILE_OUTPUT_TYPES = ("application/vnd.jupyter.widget-view+json",)
PATH_PARAMETERS = ("data_dir", "out_dir")


def read_notebook(path: Path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def notebook_text(notebook: dict) -> str:
    """A notebook as Jupyter writes it (indent 1, sorted keys)."""
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_notebook(notebook: dict, path: Path) -> None:
    """Write as Jupyter does, via a temporary file so readers never see half, and a full disk leaves the old
    file in place and no empty one beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    try:
        temporary.write_text(notebook_text(notebook), encoding="utf-8")
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def cell_source(cell: dict) -> str:
    """A cell's source as one string, whether stored as a string or as a list of lines."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def declared_parameters(notebook: dict) -> dict[str, object]:
    """The defaults in the cell tagged `parameters`, read as Python literals."""
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code" and "parameters" in _tags(cell):
            values = {}
            for statement in ast.parse(cell_source(cell)).body:
                if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                    target = statement.targets[0]
                    if isinstance(target, ast.Name):
                        values[target.id] = ast.literal_eval(statement.value)
            return values
    return {}


def source_digest(notebook: dict) -> str:
    """A hash of what the notebook would run: cell types, sources and tags, never the outputs."""
    digest = hashlib.sha256()
    kernel = notebook.get("metadata", {}).get("kernelspec", {}).get("name", "")
    digest.update(kernel.encode())
    for cell in notebook["cells"]:
        digest.update(json.dumps([cell["cell_type"], cell_source(cell), _tags(cell)]).encode())
    return digest.hexdigest()


def clean_executed(notebook: dict, keep_parameters: dict[str, object] | None) -> dict:
    """An executed notebook fit to publish: no timings, no absolute paths, no random widget ids.

    `keep_parameters` is what the injected-parameters cell should still show (None drops the cell),
    so that a page built for adults says so, without the build's temporary folders.
    """
    clean = copy.deepcopy(notebook)
    clean["metadata"].pop("papermill", None)
    clean["metadata"].pop("widgets", None)
    cells = []
    for cell in clean["cells"]:
        if "injected-parameters" in _tags(cell):
            if not keep_parameters:
                continue
            lines = ["# Parameters of this build"]
            lines += [f"{name} = {value!r}" for name, value in keep_parameters.items()]
            cell["source"] = "\n".join(lines)
            cell["outputs"] = []
        cell.get("metadata", {}).pop("papermill", None)
        cell.get("metadata", {}).pop("execution", None)
        cell.pop("id", None)
        if cell["cell_type"] == "code":
            for output in cell.get("outputs", []):
                for mime in VOLATILE_OUTPUT_TYPES:
                    output.get("data", {}).pop(mime, None)
        cells.append(cell)
    count = 0
    for cell in cells:
        if cell["cell_type"] == "code" and cell.get("execution_count") is not None:
            count += 1
            cell["execution_count"] = count
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = count
    clean["cells"] = cells
    clean["nbformat_minor"] = min(clean.get("nbformat_minor", 4), 4)  # no cell ids, so 4.4
    return clean

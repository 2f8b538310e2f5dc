"""data/datapackage.json says what schema.json says, in the Frictionless format, and the real `frictionless`
validator accepts the data with it; the data's version is one across the changelog, the package and CITATION.cff."""

from __future__ import annotations

import csv
import json

import yaml
from conftest import edit_cell

from analysis import paths
from analysis.__main__ import main
from analysis.datapackage import PACKAGE_FILE, data_package, data_release, data_version, render_data_package
from analysis.schema import load_schema
from analysis.site.pages import page_footer


def frictionless_report(folder):
    """The real validator's report. Its CSV parser raises the csv module's field size limit for the whole process
    when first used; the limit is put back, so that our own validator keeps refusing over-long fields."""
    from frictionless import validate

    limit = csv.field_size_limit()
    try:
        return validate(str(folder / PACKAGE_FILE))
    finally:
        csv.field_size_limit(limit)


def test_committed_data_package_is_current():
    assert (paths.DATA_DIR / PACKAGE_FILE).read_text(encoding="utf-8") == render_data_package()


def test_frictionless_validates_the_data_package():
    report = frictionless_report(paths.DATA_DIR)
    errors = [error.message for task in report.tasks for error in task.errors]
    assert report.valid, errors[:5]
    assert {task.name for task in report.tasks} == set(load_schema()["tables"])


def test_frictionless_catches_a_broken_foreign_key_and_a_value_outside_a_vocabulary(data_copy):
    edit_cell(data_copy, "claims.csv", 1, "treatment_id", "not_a_treatment")
    edit_cell(data_copy, "onset.csv", 1, "population", "kids")
    edit_cell(data_copy, "meta_analyses.csv", 1, "n_trials", "0")
    report = frictionless_report(data_copy)
    found = {(task.name, error.type) for task in report.tasks for error in task.errors}
    assert found == {("claims", "foreign-key"), ("onset", "constraint-error"), ("meta_analyses", "constraint-error")}


def test_every_single_id_reference_is_a_foreign_key_and_lists_are_described():
    schema, package = load_schema(), data_package()
    resources = {resource["name"]: resource for resource in package["resources"]}
    assert list(resources) == list(schema["tables"])
    for name, spec in schema["tables"].items():
        table_schema = resources[name]["schema"]
        fields = {field["name"]: field for field in table_schema["fields"]}
        assert list(fields) == list(spec["columns"]) and table_schema["primaryKey"] == [spec["primary_key"]]
        keys = {key["fields"][0]: key["reference"] for key in table_schema.get("foreignKeys", [])}
        for column, rule in spec["columns"].items():
            target = rule.get("references", "").split(".")
            if rule["type"] == "id" and "references" in rule:
                resource = "" if target[0] == name else target[0]  # "" is the table itself
                assert keys[column] == {"resource": resource, "fields": [target[1]]}, (name, column)
            elif "references" in rule:
                assert column not in keys and "cannot be a Table Schema foreign key" in fields[column]["description"]
            if rule["type"] == "category":
                assert fields[column]["constraints"]["enum"] == schema["vocabularies"][rule["vocabulary"]]
            assert fields[column].get("constraints", {}).get("required", False) == rule.get("required", False)
    claims = resources["claims"]["schema"]["foreignKeys"]
    assert {key["reference"]["resource"] for key in claims} == {"sources", "ideas", "treatments"}
    assert package["licenses"][0]["name"] == "CC-BY-4.0"


def test_the_data_version_agrees_across_changelog_package_and_citation():
    version, released = data_version()
    citation = yaml.safe_load((paths.PROJECT_ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    package = json.loads((paths.DATA_DIR / PACKAGE_FILE).read_text(encoding="utf-8"))
    assert package["version"] == citation["version"] == version
    assert str(citation["date-released"]) == released
    assert citation["authors"] == [{"name": "The ketamine-adhd-evidence contributors"}]
    assert "ketamine-adhd-evidence" in citation["title"]
    assert "repository-code" not in citation and "url" not in citation  # no address is known: none is invented


def test_the_command_writes_the_package_and_check_finds_it_stale(data_copy, monkeypatch, capsys):
    monkeypatch.setattr(paths, "DATA_DIR", data_copy)
    changelog = data_copy / "CHANGELOG.md"
    version, _ = data_version()
    changelog.write_text(changelog.read_text(encoding="utf-8").replace(f"## {version} (", "## 99.0.0 (", 1),
                         encoding="utf-8")
    assert main(["datapackage", "--check"]) == 1
    assert "datapackage.json is out of date: run python -m analysis datapackage" in capsys.readouterr().err
    assert main(["datapackage"]) == 0 and main(["datapackage", "--check"]) == 0
    assert json.loads((data_copy / PACKAGE_FILE).read_text(encoding="utf-8"))["version"] == "99.0.0"
    changelog.write_text("# no versions yet\n", encoding="utf-8")
    assert main(["datapackage"]) == 1
    assert "CHANGELOG.md: missing, or no version heading" in capsys.readouterr().err


def test_the_book_offers_the_package_and_the_changelog_and_names_the_version(data_copy):
    assert {PACKAGE_FILE, "CHANGELOG.md"} <= set(paths.DATA_DOCUMENTS)
    version, released = data_version()
    assert data_release(data_copy) == (version, released)
    assert f"Data version {version}, last changed {released}." in page_footer(data_release(data_copy))
    (data_copy / "CHANGELOG.md").unlink()
    assert data_release(data_copy) is None

"""The explore notebook: filters with readable labels, the selection they make, its figure and its CSV export,
as plain functions for the static page and as ipywidgets controls in JupyterLab."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import queries
from ._public import public_dir
from .metrics import article_labels, short_name
from .outputs import save_table
from .plots import OUTCOME_WORDS, plot_selection
from .schema import require_population, vocabulary

__all__ = ["CLASSES", "VERDICTS", "FilterPanel", "Selection", "claims_for_population", "export_selection",
           "filter_claims", "filter_estimates", "filter_options", "filter_panel", "select"]


def __dir__() -> list[str]:
    return public_dir(globals())


ALL = "all"
CLASSES = (ALL, *vocabulary("treatment_class"))
VERDICTS = (ALL, *vocabulary("verdict"))
# Claims about no particular age group show on both population pages.
UNSPECIFIED = "unspecified"
CONDITION_LABELS = {"other": "Another condition", "several": "Several conditions (not ADHD)",
                    "none": "No condition (cost, law, pharmacology)"}
POPULATION_LABELS = {ALL: "Children and adults", "children": "Children and adolescents", "adults": "Adults"}
CLAIM_COLUMNS = ["claim_id", "source_id", "claim", "topic", "treatment_id", "condition", "population", "verdict",
                 "certainty", "evidence_ids"]
ESTIMATE_COLUMNS = ["treatment_id", "treatment", "population", "subgroup", "outcome", "measure", "estimate", "ci_low",
                    "ci_high", "direction", "timepoint", "n_trials", "certainty", "source_id", "check_status"]
DEFAULT_OUTCOME = "core_symptoms_clinician"


def _chosen(value: str) -> str | None:
    return None if value == ALL else value


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _treatments_in(data: dict[str, pd.DataFrame], treatment_class: str) -> list[str] | None:
    if treatment_class not in CLASSES:
        raise ValueError(f"treatment_class must be one of {', '.join(CLASSES)}, not {treatment_class!r}")
    treatments = data["treatments"]
    if treatment_class == ALL:
        return None
    return list(treatments.loc[treatments["class"] == treatment_class, "treatment_id"].astype(str))


def claims_for_population(claims: pd.DataFrame, population: str | None) -> pd.DataFrame:
    """The claims a population's page shows: those about that population, or about no particular one."""
    if population is None:
        return claims
    require_population(population)
    return claims[claims["population"].astype(str).isin([population, UNSPECIFIED])]


def filter_claims(data: dict[str, pd.DataFrame], treatment_class: str = ALL, verdict: str = ALL,
                  population: str | None = None, *, article: str = ALL, topic: str = ALL, treatment: str = ALL,
                  condition: str = ALL, words: str = "") -> pd.DataFrame:
    """Claims matching every filter ('all' leaves one open), with a population only the claims that concern it
    (`claims_for_population`); `words` must all appear in the claim (any case)."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
    chosen = queries.claims(article=_chosen(article), verdict=_chosen(verdict), topic=_chosen(topic),
                            treatment=_chosen(treatment), condition=_chosen(condition), words=words, data=data)
    chosen = claims_for_population(chosen, _chosen(population) if population else None)
    within_class = _treatments_in(data, treatment_class)
    if within_class is not None:
        chosen = chosen[chosen["treatment_id"].isin(within_class)]
    return chosen.reset_index(drop=True)


def filter_estimates(data: dict[str, pd.DataFrame], population: str, treatment_class: str = ALL,
                     outcome: str = DEFAULT_OUTCOME, treatment: str = ALL) -> pd.DataFrame:
    """Pooled estimates with numbers for one population ('all' for both), outcome and class or treatment, each
    with its measure (an OR and an RR of one drug are two rows that say which is which), direction, timepoint
    and check status."""
    chosen = queries.estimates(outcome=outcome, population=_chosen(population), treatment=_chosen(treatment),
                               data=data)
    within_class = _treatments_in(data, treatment_class)
    if within_class is not None:
        chosen = chosen[chosen["treatment_id"].isin(within_class)]
    return chosen.loc[chosen["estimate"].notna(), ESTIMATE_COLUMNS].reset_index(drop=True)


def filter_options(data: dict[str, pd.DataFrame]) -> dict[str, list[tuple[str, str]]]:
    """(label, value) pairs for each filter, as the dropdowns show them: words, never raw codes."""
    treatments = data["treatments"]
    return {
        "article": [("All articles", ALL), *((label, source) for source, label in
                                             article_labels(data["sources"]).items())],
        "topic": [("All topics", ALL), *((_capitalised(topic), topic) for topic in vocabulary("topic"))],
        "treatment": [("All treatments", ALL), *((short_name(name), str(tid)) for tid, name in
                                                 zip(treatments["treatment_id"], treatments["name"], strict=True))],
        "condition": [("All conditions", ALL), *((CONDITION_LABELS.get(c, _capitalised(c)), c)
                                                 for c in vocabulary("claim_condition"))],
        "population": [(POPULATION_LABELS[p], p) for p in (ALL, *vocabulary("population"))],
        "outcome": [(_capitalised(OUTCOME_WORDS.get(o, o.replace("_", " "))), o) for o in vocabulary("outcome")],
        "verdict": [(_capitalised(v) if v != ALL else "All verdicts", v) for v in VERDICTS],
    }


FILTERS = ("article", "topic", "treatment", "condition", "population", "outcome", "verdict")


@dataclass(frozen=True)
class Selection:
    """What the filters chose: the claims and the pooled estimates (for one outcome), and the filters."""

    filters: dict[str, str]
    claims: pd.DataFrame
    estimates: pd.DataFrame

    def summary(self) -> str:
        chosen = [f"{name}={value!r}" for name, value in self.filters.items() if value not in (ALL, "")]
        return (f"{len(self.claims)} claims and {len(self.estimates)} pooled estimates match "
                + (", ".join(chosen) if chosen else "no filter"))


def select(data: dict[str, pd.DataFrame], article: str = ALL, topic: str = ALL, treatment: str = ALL,
           condition: str = ALL, population: str = ALL, outcome: str = DEFAULT_OUTCOME, verdict: str = ALL,
           words: str = "") -> Selection:
    """The claims and estimates the explore notebook shows. Article, topic, condition, verdict and words narrow
    the claims; treatment and population narrow both; the outcome chooses the estimates."""
    filters = {"article": article, "topic": topic, "treatment": treatment, "condition": condition,
               "population": population, "outcome": outcome, "verdict": verdict, "words": words}
    claims = filter_claims(data, ALL, verdict, population, article=article, topic=topic, treatment=treatment,
                           condition=condition, words=words)
    estimates = filter_estimates(data, population, ALL, outcome, treatment)
    return Selection(filters, claims[CLAIM_COLUMNS], estimates)


def export_selection(selection: Selection, out_dir: str | Path, stem: str = "06-explore") -> list[Path]:
    """The selection's claims and estimates as two spreadsheet-safe CSV files in `out_dir/tables/`."""
    return [save_table(selection.claims, f"{stem}-claims", out_dir),
            save_table(selection.estimates, f"{stem}-estimates", out_dir)]


def _default(name: str) -> str:
    return DEFAULT_OUTCOME if name == "outcome" else ALL


class FilterPanel:
    """Live controls in JupyterLab: filters, the figure and the tables they select, and an export button. Where
    widgets cannot run (static pages, papermill, nbval) the cell shows a one-line text description instead."""

    def __init__(self, data: dict[str, pd.DataFrame], out_dir: str | Path, **values: str):
        import ipywidgets as widgets

        options = filter_options(data)
        self.controls = {name: widgets.Dropdown(options=options[name], value=values.get(name, _default(name)),
                                                description=_capitalised(name))
                         for name in FILTERS}
        self.controls["words"] = widgets.Text(value=values.get("words", ""), description="Words",
                                              placeholder="words in the claim", continuous_update=False)
        self.export = widgets.Button(description="Export CSV", tooltip="Write the selection to tables/")
        self.status = widgets.Label()
        self.output = widgets.Output()
        self.selection: Selection | None = None

        def refresh(_change=None) -> None:
            # Written into the widget's own state, not displayed from the kernel: the cell's output stays the
            # widget alone, the same in JupyterLab, under papermill and under nbval.
            from IPython.display import Image

            self.selection = select(data, **{name: control.value for name, control in self.controls.items()})
            chart = plot_selection(self.selection.estimates, self.selection.claims, self.controls["outcome"].value)
            png = io.BytesIO()
            chart.figure.savefig(png, format="png", metadata={"Software": None})
            self.output.outputs = ()
            self.output.append_display_data(Image(data=png.getvalue(), format="png", metadata={"alt": chart.alt_text}))
            self.output.append_display_data(self.selection.estimates)
            self.output.append_display_data(self.selection.claims[["claim_id", "claim", "verdict", "certainty"]])
            self.status.value = self.selection.summary()

        def export(_button=None) -> None:
            written = export_selection(self.selection, out_dir)
            self.status.value = "Exported " + " and ".join(path.name for path in written)

        for control in self.controls.values():
            control.observe(refresh, names="value")
        self.export.on_click(export)
        rows = [widgets.HBox(list(self.controls.values())[start:start + 3]) for start in range(0, 9, 3)]
        self.widget = widgets.VBox([*rows, widgets.HBox([self.export, self.status]), self.output])
        refresh()

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle["text/plain"] = ("Interactive filters (article, topic, treatment, condition, population, outcome, "
                                "verdict, words) with the figure and the tables they select and a CSV export: "
                                "open this notebook in JupyterLab and run it to use them.")
        return bundle


def filter_panel(data: dict[str, pd.DataFrame], out_dir: str | Path, **values: str) -> FilterPanel:
    """The live panel, starting from `values` (filter name -> value, as `select` takes them)."""
    return FilterPanel(data, out_dir, **values)

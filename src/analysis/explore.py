"""Filters for the explore notebook: plain functions for the static page, ipywidgets for JupyterLab."""

from __future__ import annotations

import pandas as pd

from .schema import require_population, vocabulary

CLASSES = ("all", *vocabulary("treatment_class"))
VERDICTS = ("all", *vocabulary("verdict"))
# Claims about no particular age group show on both population pages.
UNSPECIFIED = "unspecified"


def _treatments_in(data: dict[str, pd.DataFrame], treatment_class: str) -> set[str]:
    treatments = data["treatments"]
    if treatment_class == "all":
        return set(treatments["treatment_id"])
    if treatment_class not in CLASSES:
        raise ValueError(f"treatment_class must be one of {', '.join(CLASSES)}, not {treatment_class!r}")
    return set(treatments.loc[treatments["class"] == treatment_class, "treatment_id"])


def claims_for_population(claims: pd.DataFrame, population: str | None) -> pd.DataFrame:
    """The claims a population's page shows: those about that population, or about no particular one."""
    if population is None:
        return claims
    require_population(population)
    return claims[claims["population"].astype(str).isin([population, UNSPECIFIED])]


def filter_claims(data: dict[str, pd.DataFrame], treatment_class: str = "all", verdict: str = "all",
                  population: str | None = None) -> pd.DataFrame:
    """Claims about treatments of a class (all claims when 'all') with a verdict (any when 'all'), and with a
    population, only the claims that concern it (`claims_for_population`)."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")
    claims = claims_for_population(data["claims"], population)
    if treatment_class != "all":
        claims = claims[claims["treatment_id"].isin(_treatments_in(data, treatment_class))]
    if verdict != "all":
        claims = claims[claims["verdict"] == verdict]
    return claims.reset_index(drop=True)


def filter_estimates(data: dict[str, pd.DataFrame], population: str, treatment_class: str = "all",
                     outcome: str = "core_symptoms_clinician") -> pd.DataFrame:
    """Pooled estimates with numbers for one population, outcome and class of treatment."""
    estimates = data["meta_analyses"]
    allowed = {"population": list(estimates["population"].cat.categories),
               "outcome": list(estimates["outcome"].cat.categories)}
    for name, value in (("population", population), ("outcome", outcome)):
        if value not in allowed[name]:
            raise ValueError(f"{name} must be one of {', '.join(allowed[name])}, not {value!r}")
    chosen = estimates[(estimates["population"] == population) & (estimates["outcome"] == outcome)
                       & estimates["estimate"].notna()
                       & estimates["treatment_id"].isin(_treatments_in(data, treatment_class))]
    columns = ["treatment_id", "estimate", "ci_low", "ci_high", "n_trials", "certainty", "source_id"]
    return chosen[columns].reset_index(drop=True)


class FilterPanel:
    """Live controls in JupyterLab; a one-line description where widgets cannot run (static pages, nbval)."""

    def __init__(self, data: dict[str, pd.DataFrame], population: str, treatment_class: str, outcome: str,
                 verdict: str):
        import ipywidgets as widgets

        self.controls = {
            "population": widgets.Dropdown(options=list(data["meta_analyses"]["population"].cat.categories),
                                           value=population, description="Population"),
            "treatment_class": widgets.Dropdown(options=list(CLASSES), value=treatment_class, description="Class"),
            "outcome": widgets.Dropdown(options=list(data["meta_analyses"]["outcome"].cat.categories),
                                        value=outcome, description="Outcome"),
            "verdict": widgets.Dropdown(options=list(VERDICTS), value=verdict, description="Verdict"),
        }
        output = widgets.Output()

        def refresh(_change=None) -> None:
            # Written into the widget's own state, not displayed from the kernel: the cell's output stays the
            # widget alone, the same in JupyterLab, under papermill and under nbval.
            values = {name: control.value for name, control in self.controls.items()}
            output.outputs = ()
            output.append_display_data(
                filter_estimates(data, values["population"], values["treatment_class"], values["outcome"]))
            claims = filter_claims(data, values["treatment_class"], values["verdict"], values["population"])
            output.append_display_data(claims[["claim_id", "claim", "verdict", "certainty"]])

        for control in self.controls.values():
            control.observe(refresh, names="value")
        self.widget = widgets.VBox([widgets.HBox(list(self.controls.values())), output])
        refresh()

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle["text/plain"] = ("Interactive filters (population, treatment class, outcome, verdict): open this "
                                "notebook in JupyterLab and run it to use them.")
        return bundle


def filter_panel(data, population="children", treatment_class="all", outcome="core_symptoms_clinician",
                 verdict="all") -> FilterPanel:
    return FilterPanel(data, population, treatment_class, outcome, verdict)

"""What the apps below the dashboard add to it: figures it does not compute itself, map layers.

Quarantine sits below the dashboard (layer 9 < 10) and so may not import it. The dashboard owns
these registries and fills them itself when Django loads it (`DashboardConfig.ready`), from a
`figures.py` in any QRTrace app that has one, found the way the API finds each app's `api.py`:

    # qrtrace/quarantine/figures.py: imports nothing from the dashboard
    LABELS = {"in_quarantine_home": _("In quarantine at home"), …}      # optional
    STATES = ("in_quarantine_home",)  # optional: figures that are a state at the end of the day
    HOURS = {"to_quarantine": _("Case confirmed → F1 in quarantine")}  # optional: histograms' labels

    def daily_figures(*, first_day, last_day):                          # optional
        yield {"commune_code": 14797, "day": date(…), "figures": {"in_quarantine_home": 12},
               "hours": {"to_quarantine": {"5": 3}}}                    # or a FigureRow

    def map_layers():                                                   # optional
        return {"facilities": facilities_layer}  # (*, first, last, communes) -> [GeoJSON Feature]

A provider answers set-based aggregates only (counts, histograms of whole hours), never a person.
Its figures land in `DailyFigure.extra` / `extra_hours` under the names it gives, are summed over
communes and days like the built-in ones, and show on the dashboard, in the API and the report.
A figure named in STATES (people in quarantine) is summed over communes but, over several days,
shown as the last day's value (as active cases are): a sum over days would count a person again.
A histogram named in HOURS is a timeliness figure: its median over the last 7 days shows, with its
label, beside the dashboard's own (overview, report), and every day of the API has it (None if empty).
A layer's feature whose `geometry` is None is placed at its `properties.commune_code` as the
dashboard places communes (a provider has no commune shapes of its own).
`register_figure_provider` and `register_layer_provider` also take one directly (tests, top level).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class FigureRow:
    commune_code: int
    day: date
    figures: dict[str, int] = field(default_factory=dict)
    hours: dict[str, dict[str, int]] = field(default_factory=dict)


FigureProvider = Callable[..., Iterable[FigureRow]]
LayerProvider = Callable[..., list[dict]]

_figure_providers: list[FigureProvider] = []
_layer_providers: dict[str, LayerProvider] = {}
# Names and labels of provided figures, in the order shown (label: a lazy translation string).
_figure_labels: dict[str, object] = {}
_figure_states: set[str] = set()
# Names and labels of provided histograms of hours (timeliness), in the order shown.
_hour_labels: dict[str, object] = {}


def register_figure_provider(
    provider: FigureProvider | None = None,
    *,
    labels: dict[str, object] | None = None,
    states: Iterable[str] = (),
    hours: dict[str, object] | None = None,
):
    """Add a provider of daily figures (usable as a decorator, with or without `labels`, `states`,
    `hours`)."""

    def add(function: FigureProvider) -> FigureProvider:
        if function not in _figure_providers:
            _figure_providers.append(function)
        _figure_labels.update(labels or {})
        _figure_states.update(states)
        _hour_labels.update(hours or {})
        return function

    return add(provider) if provider is not None else add


def register_layer_provider(name: str, provider: LayerProvider) -> None:
    _layer_providers[name] = provider


def as_row(provided: "FigureRow | dict") -> FigureRow:
    """A provider's row, given as a FigureRow or as a plain dict of the same fields."""
    if isinstance(provided, FigureRow):
        return provided
    return FigureRow(
        commune_code=int(provided["commune_code"]),
        day=provided["day"],
        figures=dict(provided.get("figures") or {}),
        hours=dict(provided.get("hours") or {}),
    )


def autodiscover() -> None:
    """Register what each QRTrace app's `figures.py` provides (called once, from the app's ready())."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    for config in apps.get_app_configs():
        name = f"{config.name}.figures"
        if (
            not config.name.startswith("qrtrace.")
            or config.name == "qrtrace.dashboard"
            or not find_spec(name)
        ):
            continue
        module = import_module(name)
        if hasattr(module, "daily_figures"):
            register_figure_provider(
                module.daily_figures,
                labels=getattr(module, "LABELS", None),
                states=getattr(module, "STATES", ()),
                hours=getattr(module, "HOURS", None),
            )
        for layer_name, layer in (module.map_layers() if hasattr(module, "map_layers") else {}).items():
            register_layer_provider(layer_name, layer)


def figure_providers() -> list[FigureProvider]:
    return list(_figure_providers)


def figure_labels() -> dict[str, object]:
    return dict(_figure_labels)


def figure_states() -> set[str]:
    return set(_figure_states)


def hour_labels() -> dict[str, object]:
    return dict(_hour_labels)


def layer_provider(name: str) -> LayerProvider | None:
    return _layer_providers.get(name)


def unregister(provider) -> None:
    """For tests: take a provider away again."""
    if provider in _figure_providers:
        _figure_providers.remove(provider)
    for name, layer in list(_layer_providers.items()):
        if layer is provider:
            del _layer_providers[name]

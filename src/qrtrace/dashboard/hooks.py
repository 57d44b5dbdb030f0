"""What the apps above the dashboard's inputs may add to it, without the dashboard importing them.

Quarantine (layer 9) is below the dashboard and could be imported, but it is built in parallel and
may not exist: its figures join through these registries instead, which it fills in its `ready()`:

    from qrtrace.dashboard.hooks import register_figure_provider

    @register_figure_provider
    def _quarantine_figures(*, first_day, last_day):
        yield FigureRow(commune_code=…, day=…, figures={"in_quarantine_home": 12},
                        hours={"to_quarantine": {"5": 3}})

A figure provider answers set-based aggregates only (counts and histograms of whole hours), never a
person. Its figures land in `DailyFigure.extra` / `extra_hours` under the names it gives, are summed
over communes and days like the built-in ones, and show on the dashboard and in the report.
A layer provider adds a map layer (e.g. "facilities"): it gets the date range and the communes the
viewer covers (None for everywhere) and returns GeoJSON features of aggregates.
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


def register_figure_provider(
    provider: FigureProvider | None = None, *, labels: dict[str, object] | None = None
):
    """Add a provider of daily figures (usable as a decorator, with or without `labels`)."""

    def add(function: FigureProvider) -> FigureProvider:
        if function not in _figure_providers:
            _figure_providers.append(function)
        _figure_labels.update(labels or {})
        return function

    return add(provider) if provider is not None else add


def register_layer_provider(name: str, provider: LayerProvider) -> None:
    _layer_providers[name] = provider


def figure_providers() -> list[FigureProvider]:
    return list(_figure_providers)


def figure_labels() -> dict[str, object]:
    return dict(_figure_labels)


def layer_provider(name: str) -> LayerProvider | None:
    return _layer_providers.get(name)


def unregister(provider) -> None:
    """For tests: take a provider away again."""
    if provider in _figure_providers:
        _figure_providers.remove(provider)
    for name, layer in list(_layer_providers.items()):
        if layer is provider:
            del _layer_providers[name]

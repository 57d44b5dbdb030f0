"""Data flows one way: no module of a lower app imports a higher one (docs/architecture.md).

The graph is built from the modules' own source, read with `ast`: every `import` and `from … import`,
at module level or inside a function (a deferred import couples the apps just as much), relative
ones resolved against the importing package. A lower app that must tell a higher one something
owns a signal or a registry the higher app fills (e.g. `accounts.scopes.register_area_resolver`).
"""

import ast
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

# Lowest first. Apps on one rank (privacy, demo) are siblings: neither may import the other. Apps not
# built yet keep their place, so the first module of one is held to it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("lib",),
    ("geo",),
    ("audit",),
    ("accounts",),
    ("people",),
    ("venues",),
    ("checkins",),
    ("notifications",),
    ("tracing",),
    ("quarantine",),
    ("dashboard",),
    ("public",),
    ("privacy", "demo"),
)
# Above every app: they wire the apps together and may import any of them.
TOP = frozenset({"api", "urls", "settings", "cli", "views", "wsgi"})
RANK = {app: rank for rank, apps in enumerate(LAYERS) for app in apps}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. "qrtrace.audit.views"
    target: str  # what it names, e.g. "qrtrace.accounts.selectors"
    line: int


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(module: str, source: str, *, is_package: bool = False) -> list[Import]:
    """Every module `source` imports (for `from m import n`, both m and m.n: n may be a module)."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            origin = ".".join([*base, *([node.module] if node.module else [])])
            targets = [origin] if node.module else []
            targets += [f"{origin}.{alias.name}" for alias in node.names if alias.name != "*"]
        else:
            continue
        found += [Import(module, target, node.lineno) for target in targets]
    return found


def app_of(module: str) -> str | None:
    """The app a module of the project belongs to ("qrtrace.tracing.services" → "tracing")."""
    parts = module.split(".")
    return parts[1] if parts[0] == "qrtrace" and len(parts) > 1 else None


def layer_violations(imports: list[Import]) -> list[str]:
    """Each import that runs up the layers or sideways between siblings, and each app not placed."""
    problems = set()
    for found in imports:
        source, target = app_of(found.module), app_of(found.target)
        if source is None or target is None or source == target or source in TOP:
            continue
        for app in (source, target):
            if app not in RANK and app not in TOP:
                problems.add(f"qrtrace.{app} has no place in LAYERS (tests/test_layers.py): add it")
        if target in TOP:
            problems.add(f"{found.module}:{found.line} imports qrtrace.{target}, which sits above every app")
        elif source in RANK and target in RANK and RANK[target] >= RANK[source]:
            problems.add(f"{found.module}:{found.line} imports qrtrace.{target}, which is not below {source}")
    return sorted(problems)


def project_imports(root: Path = SRC) -> list[Import]:
    found = []
    for path in sorted((root / "qrtrace").rglob("*.py")):
        found += imports_of(
            module_name(path, root), path.read_text(encoding="utf-8"), is_package=path.name == "__init__.py"
        )
    return found


def test_no_app_imports_one_above_it():
    imports = project_imports()
    apps = {app_of(found.module) for found in imports} - {None}
    assert {"lib", "accounts", "tracing"} <= apps, "the source tree was not found"
    assert sorted(apps - RANK.keys() - TOP) == [], "give each app its place in LAYERS"
    assert layer_violations(imports) == []


def test_the_checker_catches_an_import_up_the_layers_even_inside_a_function():
    imports = imports_of(
        "qrtrace.venues.services",
        "def poster():\n    from qrtrace.tracing.models import Case\n",
    )
    assert layer_violations(imports) == [
        "qrtrace.venues.services:2 imports qrtrace.tracing, which is not below venues"
    ]


def test_the_checker_resolves_relative_imports():
    # `from .. import tracing` inside qrtrace/checkins/ names qrtrace.tracing; `from . import x` stays.
    imports = imports_of("qrtrace.checkins.views", "from .. import tracing\nfrom . import selectors\n")
    assert [found.target for found in imports] == ["qrtrace.tracing", "qrtrace.checkins.selectors"]
    assert layer_violations(imports) == [
        "qrtrace.checkins.views:1 imports qrtrace.tracing, which is not below checkins"
    ]
    package = imports_of("qrtrace.audit", "from . import models\n", is_package=True)
    assert [found.target for found in package] == ["qrtrace.audit.models"]


def test_the_checker_allows_imports_down_and_from_the_top():
    imports = [
        *imports_of("qrtrace.tracing.services", "from qrtrace.checkins.models import CheckIn\n"),
        *imports_of("qrtrace.venues.posters", "import qrtrace.lib.cells\n"),
        *imports_of("qrtrace.urls", "from qrtrace.privacy import urls\n"),
        *imports_of("qrtrace.api.api", "from qrtrace.tracing.api import router\n"),
        *imports_of("qrtrace.people.services", "from qrtrace.accounts.models import User\n"),
    ]
    assert layer_violations(imports) == []


def test_the_checker_refuses_siblings_unplaced_apps_and_apps_reaching_the_top():
    imports = [
        *imports_of("qrtrace.demo.services", "from qrtrace.privacy.services import purge\n"),
        *imports_of("qrtrace.billing.models", "from qrtrace.lib.crypto import encrypt\n"),
        *imports_of("qrtrace.geo.models", "from qrtrace.views import home\n"),
    ]
    assert layer_violations(imports) == [
        "qrtrace.billing has no place in LAYERS (tests/test_layers.py): add it",
        "qrtrace.demo.services:1 imports qrtrace.privacy, which is not below demo",
        "qrtrace.geo.models:1 imports qrtrace.views, which sits above every app",
    ]


def test_access_checks_go_through_the_permissions_module():
    """Apps ask `accounts.permissions`, never the jurisdiction itself: the rules live in one place."""
    direct = [
        f"{found.module}:{found.line}"
        for found in project_imports()
        if found.target in ("qrtrace.accounts.selectors.user_jurisdiction", "qrtrace.geo.jurisdiction")
        and app_of(found.module) not in ("accounts", "geo")
    ]
    assert direct == []

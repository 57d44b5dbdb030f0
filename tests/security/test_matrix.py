"""Every page and API operation, tried by every actor, answers as the authorisation matrix says."""

import json
import re
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.urls import URLResolver, get_resolver, reverse

from qrtrace.api.api import api
from qrtrace.checkins.views import _DEVICE_SALT, DEVICE_COOKIE

from .matrix import ACTORS, MATRIX, Entry, markdown_table

DOCS = Path(__file__).resolve().parents[2] / "docs" / "security.md"


def _format(value, world):
    if isinstance(value, dict):
        return {key: _format(item, world) for key, item in value.items()}
    if isinstance(value, list):
        return [_format(item, world) for item in value]
    return value.format(w=world) if isinstance(value, str) else value


def _url(entry: Entry, world) -> str:
    args = {key: _format(value, world) for key, value in entry.args}
    if not entry.is_api:
        return reverse("admin:index" if entry.name == "admin:*" else entry.name, kwargs=args)
    path = entry.name.split(" ", 1)[1]
    query = []
    for key, value in args.items():
        if "{" + key + "}" in path:
            path = path.replace("{" + key + "}", value)
        else:
            query.append(f"{key}={value}")
    return path + ("?" + "&".join(query) if query else "")


def _device_cookie(token: str) -> str:
    response = HttpResponse()
    response.set_signed_cookie(DEVICE_COOKIE, token, salt=_DEVICE_SALT)
    return response.cookies[DEVICE_COOKIE].value


def _answer(response) -> str:
    if response.status_code in (301, 302, 303) and "/login/" in response.get("Location", ""):
        return "login"
    return "ok" if response.status_code < 400 else str(response.status_code)


def _cases():
    for entry in MATRIX:
        for actor in ACTORS:
            yield pytest.param(entry, actor, id=f"{entry.http_method} {entry.name} {entry.action} · {actor}")


@pytest.mark.parametrize(("entry", "actor"), list(_cases()))
def test_each_actor_gets_the_answer_the_matrix_gives(world, client, db, entry, actor):
    headers = {}
    user = world.users.get(actor)
    if actor == "citizen":
        client.cookies[DEVICE_COOKIE] = _device_cookie(world.device)
    elif user is not None and entry.is_api:
        headers["Authorization"] = f"Bearer {world.tokens[actor]}"
    elif user is not None:
        client.force_login(user)
    data = {key: _format(value, world) for key, value in entry.data}
    method = getattr(client, entry.http_method.lower())
    if entry.is_api and entry.http_method != "GET":
        response = method(
            _url(entry, world), json.dumps(data), content_type="application/json", headers=headers
        )
    else:
        response = method(_url(entry, world), data, headers=headers)
    body = b"" if response.streaming else response.content[:160]
    shown = f"{response.status_code} {response.get('Location', '')} {body!r}"
    assert _answer(response) == entry.expected[actor], shown


def _openapi_path(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def _url_patterns(resolver=None, prefix: str = "", namespace: str = ""):
    """(name, route) of every URL pattern, through every include, names with their namespaces."""
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part)
            yield from _url_patterns(pattern, route, inner)
        else:
            name = pattern.name or route
            yield f"{namespace}:{name}" if namespace else name, route


def _api_operations() -> set[str]:
    paths = api.get_openapi_schema()["paths"]
    return {f"{method.upper()} {path}" for path, operations in paths.items() for method in operations}


def _listed(name: str) -> bool:
    return any(
        entry.name == name or (entry.name.endswith(":*") and name.startswith(entry.name[:-1]))
        for entry in MATRIX
    )


def test_every_url_pattern_is_in_the_matrix():
    api_paths = {operation.split(" ", 1)[1] for operation in _api_operations()}
    pages = {name for name, route in _url_patterns() if _openapi_path(route) not in api_paths}
    assert pages, "no URL patterns found"
    missing = sorted(name for name in pages if not _listed(name))
    assert missing == [], f"add these to tests/security/matrix.py and docs/security.md: {missing}"


def test_every_api_operation_is_in_the_matrix():
    listed = {entry.name for entry in MATRIX if entry.is_api}
    assert sorted(_api_operations() - listed) == []


def test_the_matrix_lists_nothing_that_does_not_exist():
    names = {name for name, _route in _url_patterns()} | _api_operations()
    stale = {entry.name for entry in MATRIX if entry.name not in names and not entry.name.endswith(":*")}
    assert stale == set()


def test_docs_show_the_matrix_the_tests_walk():
    assert markdown_table() in DOCS.read_text(), "run `python -m tests.security.matrix` into docs/security.md"

"""The `qrtrace` console script, run as a user would: a separate process with its own data dir."""

import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.servers import free_port, wait_until_up

QRTRACE = str(Path(sys.executable).with_name("qrtrace"))


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QRTRACE_", "DATABASE_URL"))}
    env["QRTRACE_DATA_DIR"] = str(tmp_path)
    return env


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([QRTRACE, *args], env=_env(tmp_path), capture_output=True, text=True, timeout=120)


def test_qrtrace_runs_django_commands_such_as_migrate(tmp_path):
    result = _run(tmp_path, "migrate", "--no-input", "-v", "0")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "qrtrace.sqlite3").exists()
    shown = _run(tmp_path, "showmigrations", "geo")
    assert "[X] 0001_initial" in shown.stdout


def test_official_add_with_token_prints_the_token_as_the_last_line(tmp_path):
    _run(tmp_path, "migrate", "--no-input", "-v", "0")
    result = _run(tmp_path, "official", "add", "x", "--role", "province", "--area", "38", "--token")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("qrt_")


def test_an_unknown_command_fails_with_a_message(tmp_path):
    result = _run(tmp_path, "no-such-command")
    assert result.returncode != 0
    assert "Unknown command" in result.stderr


def test_serve_answers_pages_and_static_files_with_granian(tmp_path):
    assert _run(tmp_path, "migrate", "--no-input", "-v", "0").returncode == 0
    port = free_port()
    server = subprocess.Popen(
        [QRTRACE, "serve", "--port", str(port), "--workers", "1"],
        env=_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, server)
        assert b'"ok"' in urllib.request.urlopen(f"{base}/healthz", timeout=5).read()
        home = urllib.request.urlopen(f"{base}/", timeout=5).read().decode()
        assert "Người dân" in home
        css = urllib.request.urlopen(f"{base}/static/qrtrace/site.css", timeout=5)
        assert css.status == 200 and b"--accent" in css.read()
    finally:
        server.terminate()
        server.wait(timeout=30)  # the worker beside granian first finishes the task in hand


def _chunked_post(port: int, path: str, body: bytes, token: str) -> tuple[int, bytes]:
    """POST `body` with Transfer-Encoding: chunked and no Content-Length, as streaming clients do."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    parts = (body[i : i + 1000] for i in range(0, len(body), 1000))  # an iterable body is sent chunked
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn.request("POST", path, body=parts, headers=headers, encode_chunked=True)
    response = conn.getresponse()
    try:
        return response.status, response.read()
    finally:
        conn.close()


def test_serve_reads_a_chunked_body_and_refuses_an_oversized_one(tmp_path):
    import json

    assert _run(tmp_path, "migrate", "--no-input", "-v", "0").returncode == 0
    added = _run(tmp_path, "official", "add", "cdc", "--role", "province", "--area", "38", "--token")
    token = added.stdout.strip().splitlines()[-1]
    port = free_port()
    server = subprocess.Popen(
        [QRTRACE, "serve", "--port", str(port), "--workers", "1"],
        env=_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}", server)
        fields = {"name": "Chợ Chunked", "kind": "market", "address": "1 Lê Lợi"}
        venue = json.dumps(fields | {"commune_code": 14797})
        status, body = _chunked_post(port, "/api/v1/venues", venue.encode(), token)
        assert status == 201, body  # the body was read, not taken as empty
        assert json.loads(body)["name"] == "Chợ Chunked"
        # Its poster points at this server's port (no QRTRACE_PUBLIC_BASE_URL was set).
        assert json.loads(body)["checkin_url"].startswith(f"http://127.0.0.1:{port}/v/")
        status, body = _chunked_post(port, "/api/v1/venues", b"[" * 300_000, token)
        assert status == 413
        assert "256 KB" in json.loads(body)["detail"]
    finally:
        server.terminate()
        server.wait(timeout=30)  # the worker beside granian first finishes the task in hand


def test_serve_lets_phones_keep_hashed_static_files_for_a_year_in_production(tmp_path):
    env = _env(tmp_path) | {
        "QRTRACE_PRODUCTION": "1",
        "QRTRACE_PUBLIC_BASE_URL": "https://qrtrace.example.vn",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",  # TLS ends at the proxy; this test speaks plain HTTP to granian
    }
    assert subprocess.run([QRTRACE, "migrate", "--no-input", "-v", "0"], env=env, timeout=120).returncode == 0
    port = free_port()
    server = subprocess.Popen(
        [QRTRACE, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, server)
        home = urllib.request.urlopen(f"{base}/", timeout=5).read().decode()
        (css,) = re.findall(r'href="(/static/qrtrace/site\.[0-9a-f]{12}\.css)"', home)  # a hashed name
        response = urllib.request.urlopen(f"{base}{css}", timeout=5)
        assert response.status == 200 and b"--accent" in response.read()
        assert response.headers["Cache-Control"] == "max-age=31536000"
    finally:
        server.terminate()
        server.wait(timeout=30)  # the worker beside granian first finishes the task in hand


def test_printed_codes_point_where_serve_listens_unless_the_deployment_says_otherwise():
    from qrtrace.cli import public_base_url

    assert public_base_url("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert public_base_url("0.0.0.0", 8000) == "http://127.0.0.1:8000"  # noqa: S104
    assert public_base_url("::1", 9000) == "http://[::1]:9000"

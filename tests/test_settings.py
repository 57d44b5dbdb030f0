import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from qrtrace import settings as s


def test_env_bool_accepts_the_usual_spellings(monkeypatch):
    for raw, expected in [("1", True), ("yes", True), ("ON", True), ("0", False), ("false", False)]:
        monkeypatch.setenv("QRTRACE_X", raw)
        assert s.env_bool("QRTRACE_X", not expected) is expected


def test_env_bool_fails_loudly_on_a_typo(monkeypatch):
    monkeypatch.setenv("QRTRACE_X", "ture")
    with pytest.raises(ImproperlyConfigured, match="QRTRACE_X"):
        s.env_bool("QRTRACE_X", False)


def test_env_int_rejects_non_numbers_and_out_of_range_values(monkeypatch):
    monkeypatch.setenv("QRTRACE_X", "21d")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        s.env_int("QRTRACE_X", 21)
    monkeypatch.setenv("QRTRACE_X", "0")
    with pytest.raises(ImproperlyConfigured, match="outside"):
        s.env_int("QRTRACE_X", 21, minimum=1)
    monkeypatch.delenv("QRTRACE_X")
    assert s.env_int("QRTRACE_X", 21) == 21


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("QRTRACE_X", " a.vn, ,b.vn ")
    assert s.env_list("QRTRACE_X", []) == ["a.vn", "b.vn"]


def _settings_in_subprocess(tmp_path, code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("QRTRACE_", "DATABASE_URL", "SECRET_KEY"))
    }
    clean.update({"QRTRACE_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "qrtrace.settings", **env})
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings as s; {code}",
        ],
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_secrets_are_generated_once_in_the_data_dir_and_kept(tmp_path):
    first = _settings_in_subprocess(tmp_path, "print(s.SECRET_KEY)")
    second = _settings_in_subprocess(tmp_path, "print(s.SECRET_KEY)")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and len(first.stdout.strip()) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # readable by the owner only


def test_the_default_database_is_sqlite_in_wal_mode_under_the_data_dir(tmp_path):
    out = _settings_in_subprocess(
        tmp_path,
        "from django.db import connection as c; c.ensure_connection(); cur=c.cursor();"
        "cur.execute('PRAGMA journal_mode'); print(cur.fetchone()[0], s.DATABASES['default']['NAME'],"
        " s.TIME_ZONE, s.LANGUAGE_CODE, s.QRTRACE_PROVINCE)",
    )
    assert out.returncode == 0, out.stderr
    mode, name, tz, lang, province = out.stdout.split()
    assert mode == "wal"
    assert name == str(tmp_path / "qrtrace.sqlite3")
    assert (tz, lang, province) == ("Asia/Ho_Chi_Minh", "vi", "38")


def test_database_url_selects_postgresql(tmp_path):
    out = _settings_in_subprocess(
        tmp_path, "print(s.DATABASES['default']['ENGINE'])", DATABASE_URL="postgres://u@db.example:5432/qr"
    )
    assert out.stdout.strip() == "django.db.backends.postgresql"


def test_a_bad_value_stops_start_up_with_its_name(tmp_path):
    out = _settings_in_subprocess(tmp_path, "pass", QRTRACE_RETENTION_DAYS="three weeks")
    assert out.returncode != 0
    assert "QRTRACE_RETENTION_DAYS" in out.stderr


def test_production_mode_passes_the_deployment_check(tmp_path):
    env = {
        "QRTRACE_PRODUCTION": "1",
        "QRTRACE_PUBLIC_BASE_URL": "https://qr.syt.thanhhoa.gov.vn",
        "SECRET_KEY": "x" * 20 + "-production-secret-with-enough-entropy-1234567890",
    }
    out = _settings_in_subprocess(
        tmp_path,
        "from django.core.management import call_command;"
        "call_command('check', deploy=True, fail_level='WARNING')",
        **env,
    )
    assert out.returncode == 0, out.stderr
    assert "System check identified no issues" in out.stdout + out.stderr


def test_production_refuses_a_plain_http_public_url(tmp_path):
    out = _settings_in_subprocess(
        tmp_path, "pass", QRTRACE_PRODUCTION="1", QRTRACE_PUBLIC_BASE_URL="http://x.vn"
    )
    assert out.returncode != 0 and "https://" in out.stderr


def test_debug_is_off_unless_asked_for_and_never_in_production(tmp_path):
    assert _settings_in_subprocess(tmp_path, "print(s.DEBUG)").stdout.strip() == "False"
    assert _settings_in_subprocess(tmp_path, "print(s.DEBUG)", DEBUG="1").stdout.strip() == "True"
    refused = _settings_in_subprocess(
        tmp_path, "pass", DEBUG="1", QRTRACE_PRODUCTION="1", QRTRACE_PUBLIC_BASE_URL="https://qr.example.vn"
    )
    assert refused.returncode != 0
    assert "DEBUG=1 cannot be used" in refused.stderr


def test_a_secret_comes_from_its_variable_or_from_the_file_its_file_variable_names(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-the-file\n")
    monkeypatch.setenv("QRTRACE_X", "from-the-environment")
    assert s.env_secret("QRTRACE_X") == "from-the-environment"
    monkeypatch.delenv("QRTRACE_X")
    monkeypatch.setenv("QRTRACE_X_FILE", str(secret))
    assert s.env_secret("QRTRACE_X") == "from-the-file"  # the file's closing newline is not part of it
    monkeypatch.delenv("QRTRACE_X_FILE")
    assert s.env_secret("QRTRACE_X", "default") == "default"


def test_a_secret_given_twice_or_in_a_file_that_cannot_be_read_stops_start_up(monkeypatch, tmp_path):
    monkeypatch.setenv("QRTRACE_X", "a")
    monkeypatch.setenv("QRTRACE_X_FILE", str(tmp_path / "secret"))
    with pytest.raises(ImproperlyConfigured, match="not both"):
        s.env_secret("QRTRACE_X")
    monkeypatch.delenv("QRTRACE_X")
    with pytest.raises(ImproperlyConfigured, match=r"QRTRACE_X_FILE=.*cannot be read"):
        s.env_secret("QRTRACE_X")


def test_every_secret_setting_has_a_file_variant(tmp_path):
    database = f"sqlite:///{tmp_path / 'from-file.sqlite3'}"
    values = {
        "SECRET_KEY": "k" * 60,
        "DATABASE_URL": database,
        "QRTRACE_FIELD_KEYS": s._fernet_key(),
        "QRTRACE_LOOKUP_KEY": "ab" * 32,
        "QRTRACE_SIGNING_KEYS": "3:" + "cd" * 32,
        "QRTRACE_SMS_GATEWAY_USER": "qrtrace-38",
        "QRTRACE_SMS_GATEWAY_PASSWORD": "gateway password",
    }
    env, secrets = {}, tmp_path / "secrets"
    secrets.mkdir()
    for name, value in values.items():
        (secrets / name).write_text(value + "\n")
        env[f"{name}_FILE"] = str(secrets / name)
    out = _settings_in_subprocess(
        tmp_path,
        "print(s.SECRET_KEY, s.DATABASES['default']['NAME'], s.QRTRACE_FIELD_KEYS[0],"
        " s.QRTRACE_LOOKUP_KEY.decode(), s.QRTRACE_SIGNING_KEY_VERSION,"
        " s.QRTRACE_SMS_GATEWAY_USER, s.QRTRACE_SMS_GATEWAY_PASSWORD, sep='|')",
        **env,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().split("|") == [
        values["SECRET_KEY"],
        str(tmp_path / "from-file.sqlite3"),
        values["QRTRACE_FIELD_KEYS"],
        values["QRTRACE_LOOKUP_KEY"],
        "3",
        values["QRTRACE_SMS_GATEWAY_USER"],
        values["QRTRACE_SMS_GATEWAY_PASSWORD"],
    ]
    assert not (tmp_path / "secret_key").exists()  # nothing generated when the file gives it

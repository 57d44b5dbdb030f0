"""qrtrace.lib.sqlite: writers take turns on a lock file before BEGIN, and the write-ahead log is
checkpointed after COMMIT, outside the turn. Each test opens its own connections to a file database
(the suite's own SQLite database is in memory, where neither applies)."""

import threading
import time

import pytest
from django.db import OperationalError
from django.db.utils import ConnectionHandler

from qrtrace.lib.sqlite import base


def _connection(path, timeout: float = 5):
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "qrtrace.lib.sqlite",
                "NAME": str(path),
                "OPTIONS": {
                    "init_command": "PRAGMA journal_mode=WAL;",
                    "transaction_mode": "IMMEDIATE",
                    "timeout": timeout,
                },
            }
        }
    )
    connection = handler["default"]
    connection.ensure_connection()
    return connection


def _begin(connection) -> None:
    # What transaction.atomic() does on SQLite, which stays in autocommit mode.
    connection._start_transaction_under_autocommit()


@pytest.fixture(autouse=True)
def _own_connections(django_db_blocker):
    # These connections are to files of the test's own, not the suite's test database.
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "db.sqlite3"
    setup = _connection(path)
    setup.connection.execute("CREATE TABLE visit (id INTEGER PRIMARY KEY, note TEXT)")
    setup.close()
    return path


def test_a_writer_waits_for_the_turn_past_sqlites_busy_timeout_and_then_writes(database):
    # SQLite alone would give up after its 50 ms busy timeout; waiting for the turn happens before
    # BEGIN, so the second writer waits until the first commits, bounded by the connection's timeout.
    first, events = _connection(database), []
    _begin(first)
    first.connection.execute("INSERT INTO visit (note) VALUES ('first')")

    def second_writer():
        second = _connection(database, timeout=5)
        second.connection.execute("PRAGMA busy_timeout = 50")
        _begin(second)
        events.append("second began")
        second.connection.execute("INSERT INTO visit (note) VALUES ('second')")
        second.commit()
        second.close()

    thread = threading.Thread(target=second_writer)
    thread.start()
    time.sleep(0.3)
    events.append("first commits")
    first.commit()
    thread.join(timeout=10)
    assert events == ["first commits", "second began"]
    assert first.connection.execute("SELECT note FROM visit ORDER BY id").fetchall() == [
        ("first",),
        ("second",),
    ]
    first.close()


def test_a_rollback_gives_the_turn_back(database):
    first, second = _connection(database), _connection(database, timeout=0.2)
    _begin(first)
    first.rollback()
    _begin(second)  # would raise "database is locked" if the turn were still held
    second.commit()
    first.close()
    second.close()


def test_waiting_longer_than_the_timeout_fails_as_sqlite_would(database):
    first, second = _connection(database), _connection(database, timeout=0.2)
    _begin(first)
    started = time.monotonic()
    with pytest.raises(OperationalError, match="database is locked"):
        _begin(second)
    assert 0.2 <= time.monotonic() - started < 2
    first.commit()
    _begin(second)  # the failed wait left nothing held
    second.commit()
    first.close()
    second.close()


def test_commits_leave_checkpoints_to_after_the_turn_at_most_once_a_second(database, monkeypatch):
    writer = _connection(database)
    assert writer.connection.execute("PRAGMA wal_autocheckpoint").fetchone() == (0,)

    def write_and_commit():
        _begin(writer)
        writer.connection.executemany("INSERT INTO visit (note) VALUES (?)", [("x" * 500,)] * 2_000)
        writer.commit()

    # Not due: the rows stay in the write-ahead log, the database file does not grow.
    monkeypatch.setattr(base, "_last_checkpoint", time.monotonic())
    size = database.stat().st_size
    write_and_commit()
    assert database.stat().st_size == size
    # Due: the commit is followed by a checkpoint that copies them into the database file.
    monkeypatch.setattr(base, "_last_checkpoint", 0.0)
    write_and_commit()
    assert database.stat().st_size > size + 1_000_000
    writer.close()

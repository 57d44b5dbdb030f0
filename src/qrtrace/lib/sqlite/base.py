"""Django's SQLite backend with fair turns for writers and checkpoints outside the write lock.

SQLite has one write lock. A writer that finds it taken sleeps in SQLite's busy handler for 1, 2, 5 …
up to 100 ms at a time before it looks again, so under load a check-in waits its turn by luck: the
median is fine and the 99th percentile is not (docs/benchmarks.md, "Check-in ingest"). Here every
transaction first takes an exclusive `flock` on a file beside the database, then `BEGIN IMMEDIATE`, and
gives it back after COMMIT or ROLLBACK. A waiting writer looks again every 0.2-2 ms (a blocking flock
would wake it at once but could not give up after the connection's timeout, as SQLite does: a stuck
transaction would then hang every request behind it instead of failing them); the lock file costs no
database read, so looking often is cheap.

SQLite also copies the write-ahead log back into the database (a checkpoint, with an fsync) inside
whichever COMMIT pushes the log past 1,000 pages, while that writer still holds the lock, with every
other writer queued behind it (docs/benchmarks.md, "Check-in ingest"). Here automatic checkpoints are off
and a connection runs a PASSIVE checkpoint (which never blocks writers) at most once a second per
process, after its COMMIT, outside the turn. The log stays bounded the same way; durability is
unchanged (a committed transaction is in the log either way).
"""

import fcntl
import os
import threading
import time

from django.db.backends.sqlite3 import base

CHECKPOINT_SECONDS = 1.0
_checkpoint = threading.Lock()  # one checkpointing connection per process at a time
_last_checkpoint = 0.0


class DatabaseWrapper(base.DatabaseWrapper):
    _turn: int | None = None  # the open lock file, while this connection holds a turn or waits for one

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if not self.is_in_memory_db():
            connection.execute("PRAGMA wal_autocheckpoint = 0")
        return connection

    def _start_transaction_under_autocommit(self):
        if self.is_in_memory_db():
            super()._start_transaction_under_autocommit()
            return
        # Its own descriptor per connection: flock excludes other descriptors, threads of this process
        # included. The database file itself must not be opened here: closing any descriptor of it
        # would drop the POSIX locks SQLite holds on it.
        self._turn = os.open(f"{self.settings_dict['NAME']}-turn", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            self._wait_for_turn()
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._end_turn()
            raise

    def _wait_for_turn(self) -> None:
        deadline = time.monotonic() + self.settings_dict["OPTIONS"].get("timeout", 5)
        delay = 0.0002
        while True:
            try:
                fcntl.flock(self._turn, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    with self.wrap_database_errors:
                        raise base.Database.OperationalError("database is locked") from None
                time.sleep(delay)
                delay = min(delay * 2, 0.002)

    def _commit(self):
        try:
            return super()._commit()
        finally:
            if self._end_turn():
                self._checkpoint_now_and_then()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._end_turn()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._end_turn()

    def _end_turn(self) -> bool:
        """Give the turn back (closing the descriptor releases the flock); False if none was held."""
        if self._turn is None:
            return False
        os.close(self._turn)
        self._turn = None
        return True

    def _checkpoint_now_and_then(self) -> None:
        global _last_checkpoint
        due = time.monotonic() - _last_checkpoint >= CHECKPOINT_SECONDS
        if not due or not _checkpoint.acquire(blocking=False):
            return
        try:
            _last_checkpoint = time.monotonic()
            with self.wrap_database_errors:
                self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            _checkpoint.release()

"""Races in tests: actions run in threads released together, each on its own database connection."""

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

from django.db import connection

T = TypeVar("T")


def in_thread(action: Callable[[], object]) -> tuple[threading.Thread, list]:
    """Start `action` in a thread now; the list holds its answer once the thread has finished."""
    done: list = []

    def run():
        try:
            done.append(action())
        finally:
            connection.close()  # the thread's own connection, which Django opened for it

    thread = threading.Thread(target=run)
    thread.start()
    return thread, done


def at_once(actions: Sequence[Callable[[], T]], timeout: float = 300) -> list[T]:
    """Run each action in its own thread, all released at one moment by a barrier, and return their
    answers in the order of `actions`. An action that raised raises here, after every thread ended,
    so a failing racer is never mistaken for one that did not answer."""
    start = threading.Barrier(len(actions))
    answers: dict[int, T] = {}
    errors: list[BaseException] = []

    def run(index: int, action: Callable[[], T]) -> None:
        try:
            start.wait()
            answers[index] = action()
        except BaseException as error:  # re-raised below, in the test's own thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), f"a racer still runs after {timeout} s"
    if errors:
        raise errors[0]
    return [answers[index] for index in range(len(actions))]

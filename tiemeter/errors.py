"""Error classes whose class says what happens next, in one place.

Each class has an ``outcome``; the command line maps it to an exit code (``tiemeter.cli.EXIT_CODES``)
and the Airflow task bodies to a task state (``tiemeter.airflow_tasks.airflow_errors``), each once:

==============  ======================================================  =========  ===================
outcome         meaning                                                 CLI exit   Airflow
==============  ======================================================  =========  ===================
``RETRY``       transient: the same call may succeed later              5          left to ``retries``
``SKIP``        this item or job cannot be used; the others went on     3          skipped
``INCOMPLETE``  stopped early on purpose, cursors saved; run again      4          success (logged)
``FATAL``       retrying cannot help                                    1          failed, no retry
==============  ======================================================  =========  ===================
"""

from __future__ import annotations

import enum


class Outcome(enum.Enum):
    RETRY = "retry"
    SKIP = "skip"
    INCOMPLETE = "incomplete"
    FATAL = "fatal"


class TiemeterError(Exception):
    """Base class. ``str(error)`` is a one-line reason fit for a user."""

    outcome = Outcome.FATAL


class RetriableError(TiemeterError):
    """Transient: a 5xx, a timeout, a rate limit, a lock held by another process."""

    outcome = Outcome.RETRY


class FatalError(TiemeterError):
    """Retrying cannot help: bad credentials, a bad config, a changed landing file."""

    outcome = Outcome.FATAL


class SkippableError(TiemeterError):
    """This item cannot be used, but the others can: quarantine it and go on."""

    outcome = Outcome.SKIP


class IncompleteRun(TiemeterError):
    """Stopped early on purpose (budget, request cap, a long rate-limit wait); cursors are saved and
    the next run resumes where this one stopped."""

    outcome = Outcome.INCOMPLETE


class InputRejected(SkippableError):
    """Some input was quarantined or some source failed; what was good was still landed and loaded."""


class CollectionBusy(RetriableError):
    """Another process is collecting the same source unit into the same home; running both would
    fetch and pay for the same pages twice. Try again when it has finished."""

"""Error classes that say whether trying again can help.

Airflow retries a task on any exception; tasks translate these into
``AirflowFailException`` (fatal) or ``AirflowSkipException`` (skippable) so that
only retriable errors are retried.
"""


class TiemeterError(Exception):
    """Base class. ``str(error)`` is a one-line reason fit for a user."""


class RetriableError(TiemeterError):
    """Transient: a 5xx, a timeout, a rate limit. The same call may succeed later."""


class FatalError(TiemeterError):
    """Retrying cannot help: bad credentials, a bad config, a changed landing file."""


class SkippableError(TiemeterError):
    """This item cannot be used, but the others can: quarantine it and go on."""


class IncompleteRun(TiemeterError):
    """Stopped early on purpose (budget, request cap, a long rate-limit wait); cursors are saved and
    the next run resumes where this one stopped."""


class InputRejected(TiemeterError):
    """Some input was quarantined; what was good was still landed and loaded."""


class CollectionBusy(RetriableError):
    """Another process is collecting the same source unit into the same home; running both would
    fetch and pay for the same pages twice. Try again when it has finished."""

"""The loader: landing files into raw tables, each file exactly once and in one transaction.

``meta.load_ledger`` remembers every landing file with its sha256. A file already loaded is
skipped; a file whose bytes changed after loading is refused (landing files are immutable).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from tiemeter.landing import (
    PROVENANCE_KEY,
    QUARANTINE_RESOURCE,
    RESOURCES,
    STAMP_TYPES,
    file_sha256,
    landing_listing,
    local_copy,
    relative_name,
    sweep_landing,
)
from tiemeter.settings import Home
from tiemeter.temp_files import sweep
from tiemeter.warehouse.connection import (
    is_disk_full,
    is_lake_conflict,
    retry_on_conflict,
    warehouse,
    writer_lock,
)

log = logging.getLogger(__name__)

# Pages of 500 tweets with every expansion reach a few MB. DuckDB sizes its read buffers from this,
# so it also bounds memory; a larger line fails to load with a clear error.
MAX_OBJECT_BYTES = 32 << 20


@dataclass
class FileOutcome:
    landing_file: str
    status: str  # loaded | skipped | failed
    rows: int = 0
    error: str | None = None


@dataclass
class LoadReport:
    outcomes: list[FileOutcome] = field(default_factory=list)

    @property
    def loaded(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "loaded"]

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def summary(self) -> str:
        rows = sum(o.rows for o in self.loaded)
        text = f"loaded {len(self.loaded)} file(s), {rows} row(s)"
        if self.failed:
            text += f"; {len(self.failed)} file(s) failed: " + "; ".join(
                f"{o.landing_file}: {o.error}" for o in self.failed
            )
        return text


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_STAMP = json.dumps({PROVENANCE_KEY: STAMP_TYPES})


# A NUL in a JSON string (the escape \u0000) becomes U+FFFD on its way into raw, so no NUL byte
# reaches the warehouse or an export (a spreadsheet or C string ends at it). An escaped backslash
# before "u0000" is text, not a NUL, and stays. Each pass skips the second of two adjacent NULs,
# so two passes reach them all. The landing file keeps the page as it came.
_NUL_ESCAPE = r"'(^|[^\\])((\\\\)*)\\u0000', '\1\2\\uFFFD', 'g'"


def _without_nul(expression: str) -> str:
    once = f"regexp_replace({expression}, {_NUL_ESCAPE})"
    return f"CASE WHEN contains({expression}, '\\u0000') THEN regexp_replace({once}, {_NUL_ESCAPE}) ELSE {expression} END"


def _insert_raw_sql(table: str, path: Path, rel: str) -> str:
    return f"""
        INSERT INTO raw.{table}
        SELECT {_sql_literal(rel)}, line_no, s.source, s.endpoint, s.kind, s.params,
               try_cast(s.retrieved_at AS TIMESTAMPTZ), s.run_id, {_without_nul("json")}, now()
        FROM (
            SELECT o.line_no, o.json, json_transform(o.json, '{_STAMP}').__tiemeter AS s
            FROM read_ndjson_objects({_sql_literal(str(path))}, maximum_object_size = {MAX_OBJECT_BYTES})
                WITH ORDINALITY AS o(json, line_no)
        )
    """


def _insert_quarantine_sql(path: Path, rel: str) -> str:
    return f"""
        INSERT INTO meta.quarantine
        SELECT {_sql_literal(rel)}, q.line_no,
               q.__tiemeter.source, q.__tiemeter.run_id, q.source_file, q.line, q.reason, q.raw, q.raw_bytes,
               try_cast(q.__tiemeter.retrieved_at AS TIMESTAMPTZ)
        FROM read_ndjson({_sql_literal(str(path))}, maximum_object_size = {MAX_OBJECT_BYTES},
            columns = {{'__tiemeter': 'STRUCT(source VARCHAR, run_id VARCHAR, retrieved_at VARCHAR)',
                        'source_file': 'VARCHAR', 'line': 'BIGINT', 'reason': 'VARCHAR',
                        'raw': 'VARCHAR', 'raw_bytes': 'BIGINT'}})
             WITH ORDINALITY AS q(__tiemeter, source_file, line, reason, raw, raw_bytes, line_no)
    """


def _ledger_entry(con: duckdb.DuckDBPyConnection, rel: str) -> tuple[str, str] | None:
    return con.execute("SELECT sha256, status FROM meta.load_ledger WHERE landing_file = ?", [rel]).fetchone()


def _write_ledger(con, rel: str, resource: str, sha: str, size: int, rows, status: str, error) -> None:
    """One ledger row per landing file (a delete and an insert: a DuckLake has no keys to replace on)."""
    con.execute("DELETE FROM meta.load_ledger WHERE landing_file = ?", [rel])
    con.execute(
        "INSERT INTO meta.load_ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [rel, resource, sha, size, rows, status, error, datetime.now(UTC)],
    )


def load_file(con: duckdb.DuckDBPyConnection, landing_root: Path, path: Path) -> FileOutcome:
    """Load one landing file (a local file, or an object read through one local copy)."""
    with local_copy(path) as (local, sha, size):
        return _load_local(con, relative_name(landing_root, path), local, sha, size)


def _load_local(con: duckdb.DuckDBPyConnection, rel: str, path: Path, sha: str, size: int) -> FileOutcome:
    """Load one landing file in one transaction with its ledger row. A commit conflict (DuckLake)
    rolls it back and runs it again (``retry_on_conflict``); after too many it raises LakeConflict
    (retry later): the file stays pending, never half-loaded or lost."""
    return retry_on_conflict(lambda: _load_file_once(con, rel, path, sha, size), rel, log)


def _load_file_once(con: duckdb.DuckDBPyConnection, rel: str, path: Path, sha: str, size: int) -> FileOutcome:
    resource = rel.split("/", 1)[0]
    if resource == QUARANTINE_RESOURCE:
        sql, target = _insert_quarantine_sql(path, rel), "meta.quarantine"
    elif resource in RESOURCES:
        sql, target = _insert_raw_sql(resource, path, rel), f"raw.{resource}"
    else:
        sql, target = None, None
    con.execute("BEGIN TRANSACTION")
    try:
        known = _ledger_entry(con, rel)  # read in the transaction: another loader may just have loaded it
        if known and known[1] == "loaded":
            con.execute("ROLLBACK")
            if known[0] == sha:
                return FileOutcome(rel, "skipped")
            return FileOutcome(
                rel,
                "failed",
                error="landing file changed after it was loaded; landing files are never edited",
            )
        if sql is None:
            message = f"no raw table for landing resource {resource!r}"
            _write_ledger(con, rel, resource, sha, size, None, "failed", message)
            con.execute("COMMIT")
            return FileOutcome(rel, "failed", error=message)
        before = con.execute(f"SELECT count(*) FROM {target} WHERE landing_file = ?", [rel]).fetchone()[0]
        if before:
            raise RuntimeError(f"{target} already holds rows of {rel} without a ledger entry")
        rows = con.execute(sql).fetchone()[0]  # an INSERT answers with the number of rows it wrote
        _write_ledger(con, rel, resource, sha, size, rows, "loaded", None)
        con.execute("COMMIT")
    except (duckdb.Error, RuntimeError) as error:
        with contextlib.suppress(duckdb.Error):  # a failed commit (a full disk) has ended it already
            con.execute("ROLLBACK")
        if is_disk_full(error) or is_lake_conflict(error):
            raise  # not this file's fault: the command stops and says where space is missing / retried
        return _record_failure(con, rel, resource, sha, size, _one_line(error))
    return FileOutcome(rel, "loaded", rows=rows)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:500]


def _record_failure(con, rel: str, resource: str, sha: str, size: int, message: str) -> FileOutcome:
    con.execute("BEGIN TRANSACTION")
    _write_ledger(con, rel, resource, sha, size, None, "failed", message)
    con.execute("COMMIT")
    return FileOutcome(rel, "failed", error=message)


# DuckDB holds on to memory between statements of one connection; a fresh connection after this
# many loaded bytes keeps a long backlog from piling up towards the memory limit.
RECONNECT_AFTER_BYTES = 192 << 20


def load_pending(home: Home, progress: Callable[..., None] | None = None) -> LoadReport:
    """Load every landing file the ledger has not marked loaded, in a stable order.

    A loaded file is hashed again only when its size differs from the ledger's or it was modified
    after it was loaded (landing files are written once, before they load); a changed sha256 is
    reported as a failed file. ``tiemeter load --verify`` hashes every file.
    ``progress(files_done, total=..., rows=...)`` hears how far the load is.
    """
    return _load(home, verify=False, progress=progress)


def verify_and_load(home: Home, progress: Callable[..., None] | None = None) -> LoadReport:
    """Hash every loaded landing file against the ledger, then load what is pending."""
    return _load(home, verify=True, progress=progress)


def _changed(
    path: Path, now_size: int, now_mtime: float, entry: tuple[str, int, datetime], verify: bool
) -> bool:
    sha, size, loaded_at = entry
    touched = now_size != size or now_mtime > loaded_at.timestamp()
    return (verify or touched) and file_sha256(path) != sha


def _load(home: Home, verify: bool, progress: Callable[..., None] | None = None) -> LoadReport:
    with writer_lock(home):  # on a DuckLake: loaders side by side, never during a build
        return _load_locked(home, verify, progress)


def _load_locked(home: Home, verify: bool, progress: Callable[..., None] | None = None) -> LoadReport:
    report = LoadReport()
    landing = home.landing
    sweep_landing(landing, sweep)  # temps of killed writers (the live ones of running tasks are kept)
    with contextlib.ExitStack() as stack:
        # one connection reads the ledger and loads (connecting to a DuckLake takes about a second)
        con = stack.enter_context(warehouse(home))
        loaded = {
            rel: (sha, size, loaded_at)
            for rel, sha, size, loaded_at in con.execute(
                "SELECT landing_file, sha256, bytes, loaded_at FROM meta.load_ledger WHERE status = 'loaded'"
            ).fetchall()
        }
        todo = []
        for path, size, mtime in landing_listing(landing):
            rel = relative_name(landing, path)
            if rel in loaded:
                if _changed(path, size, mtime, loaded[rel], verify):
                    report.outcomes.append(
                        FileOutcome(
                            rel,
                            "failed",
                            error="landing file changed after it was loaded (its sha256 differs from the "
                            "ledger's); landing files are never edited: restore it or re-import its source",
                        )
                    )
                continue
            todo.append((path, size))
        total, rows = len(todo), 0
        busy: set[Path] = set()
        budget = RECONNECT_AFTER_BYTES
        while todo:
            if budget <= 0:
                stack.close()
                con = stack.enter_context(warehouse(home))
                budget = RECONNECT_AFTER_BYTES
            path, size = todo.pop(0)
            with _claim(home, relative_name(landing, path), wait=path in busy) as claimed:
                if not claimed:  # another loader of this home has it: come back to it at the end
                    busy.add(path)
                    todo.append((path, size))
                    continue
                budget -= size
                report.outcomes.append(load_file(con, landing, path))
            rows += report.outcomes[-1].rows
            if progress is not None:
                progress(total - len(todo), total=total, rows=rows)
    return report


CLAIM_SLOTS = 64


@contextlib.contextmanager
def _claim(home: Home, rel: str, wait: bool) -> Iterator[bool]:
    """A lock on the landing file while it loads, so that loaders of one home side by side (a
    DuckLake allows several writers) never load one file twice: the second one waits, then finds it
    in the ledger. Files share CLAIM_SLOTS lock files; a held slot sends the file to the back of the
    queue first (``wait=False``), then waits for it."""
    folder = home.state / "load_claims"
    folder.mkdir(parents=True, exist_ok=True)
    slot = zlib.crc32(rel.encode()) % CLAIM_SLOTS
    with open(folder / f"{slot:02d}.lock", "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

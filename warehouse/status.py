"""``tiemeter status``: row counts per table, the last loads, and quarantined input."""

from __future__ import annotations

import duckdb


def table_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    tables = con.execute(
        """
        SELECT table_schema, table_name FROM information_schema.tables
        WHERE table_schema IN ('raw', 'meta', 'core', 'marts') AND table_type = 'BASE TABLE'
        ORDER BY CASE table_schema WHEN 'raw' THEN 1 WHEN 'core' THEN 2 WHEN 'marts' THEN 3 ELSE 4 END, table_name
        """
    ).fetchall()
    return [(s, t, con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0]) for s, t in tables]


REFERENCE_SOURCES = {
    "config": "metrics.as_of in the config",
    "configured_activity": "latest activity of the configured accounts, blogs and campaigns",
    "latest_event": "latest event in the data: nothing configured has any activity",
}


def core_built(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether dbt has built the core layer in this warehouse."""
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'core' AND table_name = 'tweets'"
        ).fetchone()[0]
    )


def reference_time(con: duckdb.DuckDBPyConnection) -> str | None:
    """The reference time the marts were built for (``marts.analysis_window``), and where it came from."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = 'analysis_window'"
    ).fetchone()[0]
    if not exists:
        return None
    row = con.execute(
        "SELECT strftime(as_of AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S UTC'), as_of_source FROM marts.analysis_window"
    ).fetchone()
    if row is None:
        return None
    return f"{row[0]} ({REFERENCE_SOURCES.get(row[1], row[1])})"


def render_status(con: duckdb.DuckDBPyConnection, recent: int = 10) -> str:
    lines = []
    reference = reference_time(con)
    if reference:
        lines += [f"Reference time: {reference}", ""]
    lines.append("Tables:")
    for schema, table, rows in table_counts(con):
        lines.append(f"  {schema}.{table:<32} {rows:>12,}")
    loads = con.execute(
        "SELECT loaded_at, status, rows, landing_file, error FROM meta.load_ledger ORDER BY loaded_at DESC LIMIT ?",
        [recent],
    ).fetchall()
    totals = con.execute(
        "SELECT status, count(*), coalesce(sum(rows), 0) FROM meta.load_ledger GROUP BY 1 ORDER BY 1"
    ).fetchall()
    lines.append("")
    lines.append("Loads: " + (", ".join(f"{n} file(s) {s} ({r:,} rows)" for s, n, r in totals) or "none yet"))
    for loaded_at, status, rows, landing_file, error in loads:
        tail = f"  ERROR: {error}" if error else ""
        lines.append(
            f"  {loaded_at:%Y-%m-%d %H:%M:%S} {status:<7} {rows or 0:>8,} rows  {landing_file}{tail}"
        )
    lines += api_request_lines(con, recent)
    lines += conversion_lines(con)
    quarantined = con.execute("SELECT count(*) FROM meta.quarantine").fetchone()[0]
    lines.append("")
    lines.append(f"Quarantine: {quarantined} item(s)")
    for source_file, source_line, reason in con.execute(
        "SELECT source_file, source_line, reason FROM meta.quarantine ORDER BY quarantined_at DESC, landing_file, line_no LIMIT ?",
        [recent],
    ).fetchall():
        where = f"{source_file}:{source_line}" if source_line else source_file
        lines.append(f"  {where}: {reason}")
    if quarantined > recent:
        lines.append(f"  ... and {quarantined - recent} more: SELECT * FROM meta.quarantine")
    return "\n".join(lines)


def conversion_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Conversions and how many could not be matched to a person (they are kept, with person_id null)."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'core' AND table_name = 'conversions'"
    ).fetchone()[0]
    if not exists:
        return []
    total, unmatched, amount = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE person_id IS NULL), coalesce(sum(amount), 0) FROM core.conversions"
    ).fetchone()
    if not total:
        return []
    return ["", f"Conversions: {total:,} ({amount:,.2f} in total), {unmatched:,} not matched to a person"]


def api_request_lines(con: duckdb.DuckDBPyConnection, recent: int) -> list[str]:
    """Totals of ``meta.api_requests``: all runs, then the latest runs one by one."""
    total = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE problem IS NOT NULL), coalesce(sum(items), 0), "
        "coalesce(sum(cost_usd), 0) FROM meta.api_requests"
    ).fetchone()
    if not total[0]:
        return []
    lines = [
        "",
        f"X API requests: {total[0]:,} ({total[1]:,} failed or retried), {total[2]:,} items, "
        f"est. ${total[3]:,.3f}",
    ]
    for run_id, requests, failed, items, cost in con.execute(
        """
        SELECT run_id, count(*), count(*) FILTER (WHERE problem IS NOT NULL), coalesce(sum(items), 0),
               coalesce(sum(cost_usd), 0)
        FROM meta.api_requests GROUP BY run_id ORDER BY max(requested_at) DESC LIMIT ?
        """,
        [recent],
    ).fetchall():
        lines.append(
            f"  run {run_id}: {requests:,} request(s), {failed:,} failed, {items:,} items, est. ${cost:,.3f}"
        )
    return lines

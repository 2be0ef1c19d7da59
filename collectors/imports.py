"""Shared plumbing for file imports: an import lands each input file once, named by its sha256."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tiemeter.collectors.quarantine import Rejection
from tiemeter.errors import FatalError, InputRejected
from tiemeter.landing import file_sha256


@dataclass
class ImportResult:
    source_file: str
    landed: list[Path] = field(default_factory=list)
    items: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    already_imported: bool = False
    tweets: int = 0  # for X imports: tweets and users in what landed (includes counted)
    users: int = 0

    def summary(self) -> str:
        if self.already_imported:
            return f"{self.source_file}: already imported (same sha256), nothing to do"
        text = f"{self.source_file}: landed {self.items} item(s)"
        if self.tweets or self.users:
            text += f" holding {self.tweets:,} tweet(s) and {self.users:,} user(s)"
        if self.rejected:
            text += f", rejected {len(self.rejected)} (see 'tiemeter status')"
        return text


def raise_for_rejections(results: list[ImportResult]) -> None:
    """The outcome of rejected input, the same for the import commands and the build DAG's load task
    (the config's conversions files): all of it rejected is fatal (exit code 1, a failed task); some of
    it is a skip (exit code 3, a skipped task), the rest having landed."""
    rejected = sum(len(r.rejected) for r in results)
    if rejected and not any(r.items for r in results):
        first = next(r.rejected[0] for r in results if r.rejected)
        raise FatalError(f"nothing imported: {first.message()}")
    if rejected:
        raise InputRejected(
            f"{rejected} input item(s) rejected and quarantined; the rest was loaded (see 'tiemeter status')"
        )


@dataclass
class ImportStart:
    """What every file import checks first; ``done`` when there is nothing (more) to do."""

    result: ImportResult
    sha: str = ""
    name: str = ""

    @property
    def done(self) -> bool:
        return bool(self.result.rejected or self.result.already_imported)


def start_import(path: Path, landing_root: Path, kind: str) -> ImportStart:
    """Refuse a missing file; recognise one already landed (same sha256) so that nothing is done twice."""
    result = ImportResult(str(path))
    if not path.is_file():
        result.rejected.append(Rejection(str(path), None, "no such file"))
        return ImportStart(result)
    sha = file_sha256(path)
    name = import_landing_name(kind, sha)
    existing = find_landed(landing_root, name)
    if existing:
        result.already_imported, result.landed = True, existing
    return ImportStart(result, sha, name)


def import_landing_name(kind: str, sha: str) -> str:
    return f"import-{kind}-{sha[:20]}"


def find_landed(landing_root: Path, name: str) -> list[Path]:
    """Landing files (data parts or quarantine) already written under this name, in any resource and month."""
    return sorted(landing_root.glob(f"*/*/{name}.jsonl")) + sorted(
        landing_root.glob(f"*/*/{name}-p[0-9]*.jsonl")
    )


def finish_import(result: ImportResult, quarantine, source: str) -> ImportResult:
    """Land the quarantine (if anything was refused) and report it with the result."""
    result.rejected = quarantine.rejections
    qpath = quarantine.commit(source)
    if qpath:
        result.landed.append(qpath)
    return result

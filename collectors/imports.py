"""Shared plumbing for file imports: an import lands each input file once, named by its sha256."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from collectors.quarantine import Rejection

CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class ImportResult:
    source_file: str
    landed: list[Path] = field(default_factory=list)
    items: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    already_imported: bool = False

    def summary(self) -> str:
        if self.already_imported:
            return f"{self.source_file}: already imported (same sha256), nothing to do"
        text = f"{self.source_file}: landed {self.items} item(s)"
        if self.rejected:
            text += f", rejected {len(self.rejected)} (see 'tiemeter status')"
        return text


def import_landing_name(kind: str, sha: str) -> str:
    return f"import-{kind}-{sha[:20]}"


def find_landed(landing_root: Path, name: str) -> list[Path]:
    """Landing files (data parts or quarantine) already written under this name, in any resource and month."""
    return sorted(landing_root.glob(f"*/*/{name}.jsonl")) + sorted(
        landing_root.glob(f"*/*/{name}-p[0-9]*.jsonl")
    )

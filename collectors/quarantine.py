"""Quarantine: bad input is kept, with where it came from and why it was refused.

Rejections are landed like any other resource (``landing/_quarantine/``) and the loader moves
them into ``meta.quarantine``; collectors never need the warehouse to report bad input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tiemeter.landing import QUARANTINE_RESOURCE, LandingFile, landing_path, provenance

MAX_KEPT_BYTES = 1 << 20


@dataclass(frozen=True)
class Rejection:
    source: str  # a file path or a URL
    line: int | None  # 1-based line, or None when the whole input is refused
    reason: str
    raw: bytes | None = None

    def message(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.reason}"


@dataclass
class Quarantine:
    landing_root: Path
    run_id: str
    name: str
    rejections: list[Rejection] = field(default_factory=list)

    def add(self, rejection: Rejection) -> None:
        self.rejections.append(rejection)

    def commit(self, source_kind: str) -> Path | None:
        if not self.rejections:
            return None
        path = landing_path(self.landing_root, QUARANTINE_RESOURCE, self.name)
        with LandingFile(path) as out:
            for r in self.rejections:
                raw = r.raw or b""
                out.write_object(
                    {
                        "source_file": r.source,
                        "line": r.line,
                        "reason": r.reason,
                        # as text, with NUL bytes shown as U+FFFD: no NUL reaches the warehouse
                        "raw": raw[:MAX_KEPT_BYTES]
                        .decode("utf-8", errors="replace")
                        .replace("\x00", "\ufffd"),
                        "raw_bytes": len(raw),
                    },
                    provenance(source=source_kind, endpoint="quarantine", run_id=self.run_id),
                )
            return out.commit()

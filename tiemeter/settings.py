"""Where tiemeter keeps its files: one home folder with the landing zone, the DuckDB file and exports."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = "./data"
DB_FILENAME = "tiemeter.duckdb"


@dataclass(frozen=True)
class Home:
    root: Path
    db_path: Path

    @classmethod
    def resolve(cls, home: str | os.PathLike | None = None, db: str | os.PathLike | None = None) -> Home:
        """Command-line value first, then ``TIEMETER_HOME`` / ``TIEMETER_DB``, then ``./data``."""
        root = Path(home or os.environ.get("TIEMETER_HOME") or DEFAULT_HOME).expanduser().resolve()
        db_value = db or os.environ.get("TIEMETER_DB")
        db_path = Path(db_value).expanduser().resolve() if db_value else root / DB_FILENAME
        return cls(root=root, db_path=db_path)

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def state(self) -> Path:
        """Collector state (cursors) lives in files, so collectors never need the DuckDB lock."""
        return self.root / "state"

    def ensure(self) -> Home:
        for path in (self.root, self.landing, self.exports, self.state, self.db_path.parent):
            path.mkdir(parents=True, exist_ok=True)
        return self

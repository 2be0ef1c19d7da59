"""Collector state (ETags, Last-Modified, API cursors) in small JSON files under ``home.state``.

State is written atomically (the landing zone's temp file + fsync + rename) and only after the data
it covers has been landed, so a crash between the two repeats a little work and never loses any.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from collectors.landing import LandingFile
from tiemeter.errors import FatalError

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class StateFile:
    path: Path

    @classmethod
    def for_key(cls, state_root: Path, kind: str, key: str) -> StateFile:
        return cls(state_root / kind / f"{_SAFE.sub('-', key).strip('-') or 'default'}.json")

    def read(self) -> dict[str, Any]:
        if not self.path.is_file():
            return {}
        try:
            value = orjson.loads(self.path.read_bytes())
        except orjson.JSONDecodeError as error:
            raise FatalError(
                f"{self.path}: state file is not JSON ({error}); remove it to start over"
            ) from None
        return value if isinstance(value, dict) else {}

    def write(self, value: dict[str, Any]) -> None:
        with LandingFile(self.path) as out:
            out.write_line(orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
            out.commit()

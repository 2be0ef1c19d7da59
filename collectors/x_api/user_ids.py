"""The X user ids of the configured accounts, learnt from users/by pages (``state/x/users.json``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tiemeter.collectors.state_files import locked, read_json, write_json_atomic
from tiemeter.collectors.x_shapes import OBJECT_TYPES


class UserIds:
    def __init__(self, path: Path):
        self.path = path

    def id_for(self, username: str | None) -> str | None:
        if not username:
            return None
        return (read_json(self.path, {}) or {}).get(username.lower())

    def learn(self, page: dict[str, Any]) -> None:
        users = [u for u in page.get("data") or () if isinstance(u, OBJECT_TYPES) and u.get("username")]
        if not users:
            return
        with locked(self.path):
            known = read_json(self.path, {}) or {}
            known.update({u["username"].lower(): u["id"] for u in users})
            write_json_atomic(self.path, known)

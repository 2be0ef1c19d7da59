"""Where tiemeter keeps its files: one home folder with the landing zone, the DuckDB file and exports.

The warehouse is the home's DuckDB file, or, with a catalog (``[warehouse]`` in the config, or
``TIEMETER_WAREHOUSE_CATALOG`` / ``TIEMETER_WAREHOUSE_DATA_PATH``), a DuckLake. Only
``tiemeter.warehouse.connection`` acts on the difference."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tiemeter.config import WarehouseConfig
from tiemeter.errors import FatalError
from tiemeter.landing import is_remote, open_landing_root

DEFAULT_HOME = "./data"
DB_FILENAME = "tiemeter.duckdb"
CATALOG_ENV = "TIEMETER_WAREHOUSE_CATALOG"
DATA_PATH_ENV = "TIEMETER_WAREHOUSE_DATA_PATH"
LANDING_ENV = "TIEMETER_LANDING"


@dataclass(frozen=True)
class Home:
    root: Path
    db_path: Path
    catalog: str | None = None  # a DuckLake's catalog ("postgres:..."); None: the DuckDB file db_path
    data_path: Path | None = None  # the DuckLake's Parquet files
    # the landing zone when it is not HOME/landing: a folder or s3://bucket/prefix (TIEMETER_LANDING)
    landing_url: str | None = None

    @classmethod
    def resolve(
        cls,
        home: str | os.PathLike | None = None,
        db: str | os.PathLike | None = None,
        warehouse: WarehouseConfig | None = None,
        landing: str | os.PathLike | None = None,
    ) -> Home:
        """Command-line value first, then ``TIEMETER_HOME`` / ``TIEMETER_DB`` / ``TIEMETER_LANDING``,
        then ``./data`` (the landing zone ``HOME/landing``). The warehouse:
        ``TIEMETER_WAREHOUSE_CATALOG`` (and ``_DATA_PATH``) first, then the config's ``[warehouse]``,
        else the DuckDB file."""
        root = Path(home or os.environ.get("TIEMETER_HOME") or DEFAULT_HOME).expanduser().resolve()
        db_value = db or os.environ.get("TIEMETER_DB")
        db_path = Path(db_value).expanduser().resolve() if db_value else root / DB_FILENAME
        catalog = os.environ.get(CATALOG_ENV) or (warehouse.catalog if warehouse else None)
        data_value = os.environ.get(DATA_PATH_ENV) or (warehouse.data_path if warehouse else None)
        if catalog and not data_value:
            raise FatalError(
                f"{CATALOG_ENV} is set: set {DATA_PATH_ENV} too (the folder of its Parquet files)"
            )
        data_path = Path(data_value).expanduser().resolve() if catalog and data_value else None
        landing_value = landing or os.environ.get(LANDING_ENV) or None
        landing_url = os.fspath(landing_value) if landing_value else None
        if landing_url is not None:
            open_landing_root(landing_url)  # a bad URL fails here, naming what is wrong
        return cls(
            root=root, db_path=db_path, catalog=catalog or None, data_path=data_path, landing_url=landing_url
        )

    @property
    def is_lake(self) -> bool:
        return self.catalog is not None

    @property
    def landing(self) -> Path:
        """The landing zone: a local folder (``Path``) or an object-store prefix (``UPath``)."""
        if self.landing_url is None:
            return self.root / "landing"
        return open_landing_root(self.landing_url)

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def state(self) -> Path:
        """Collector state (cursors) lives in files, so collectors never need the DuckDB lock."""
        return self.root / "state"

    def ensure(self) -> Home:
        landing = self.landing
        for path in (self.root, landing, self.exports, self.state, self.db_path.parent):
            if not is_remote(path):  # an object store has no folders to make
                path.mkdir(parents=True, exist_ok=True)
        return self


REPLAY_NOW_ENV = "TIEMETER_REPLAY_NOW"


def replay_offset_s(value: str | None = None) -> float:
    """Seconds between ``value`` or else ``TIEMETER_REPLAY_NOW`` (an ISO 8601 time) and now; 0 when
    neither is set.

    Set, an X collection behaves as if it ran at that time: the replay of archived data, such as
    the demo's 2012 case study, where the metrics re-poll (1 h, 6 h, 24 h and 7 days after a tweet)
    must see tweets as fresh. Never set it for live collection."""
    value = (value or os.environ.get(REPLAY_NOW_ENV, "")).strip()
    if not value:
        return 0.0

    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise FatalError(f"{REPLAY_NOW_ENV}: not an ISO 8601 time: {value!r}") from None
    if when.tzinfo is None:
        raise FatalError(f"{REPLAY_NOW_ENV}: give a time zone (e.g. Z): {value!r}")
    return when.timestamp() - time.time()

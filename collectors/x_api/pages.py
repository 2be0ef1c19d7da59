"""Landing X API pages: the raw bytes of each page, untouched, behind a ``__tiemeter`` stamp.

One landing file per page, so that a page is either durably landed (and its cursor can move) or
not there at all. ``kind`` (tweets, users, errors, empty) comes from the page's shape.

The stamp names the concrete request a page answers, beside the endpoint template: ``path`` as sent
(``/2/tweets/123/liking_users``), ``params`` as sent, and, when the request holds them,
``tweet_id`` or ``user_id`` (the id in the path), ``query``, ``ids`` or ``usernames`` (lookups) and
``page_token``. A liking_users page is thereby the likes of one known tweet.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import orjson

from tiemeter.collectors.x_api.transport import Page, request_subject
from tiemeter.collectors.x_shapes import classify_page
from tiemeter.landing import (
    X_API_PAGES,
    iso,
    landing_path,
    provenance,
    stamp_object,
    stamp_raw_object,
    write_landing_file,
)

RESOURCE = X_API_PAGES  # the same raw table twarc imports land in: one parser for both
SOURCE = "x_api"


class PageLander:
    def __init__(self, landing_root: Path, run_id: str):
        self.landing_root = landing_root
        self.run_id = run_id
        self._writer = uuid.uuid4().hex[:6]  # parallel tasks may share a run id
        self._seq = 0

    def next_path(self) -> Path:
        self._seq += 1
        return landing_path(self.landing_root, RESOURCE, f"x-{self.run_id}-{self._writer}-{self._seq:05d}")

    def land(
        self,
        path: Path,
        raw: bytes,
        page: Page,
        *,
        endpoint: str,
        sent_path: str,
        params: dict[str, str],
        retrieved_at: float,
        unit: str | None,
    ) -> str:
        kind = classify_page(page)
        stamp = provenance(
            source=SOURCE,
            endpoint=endpoint,
            run_id=self.run_id,
            params=params,
            retrieved_at=iso_epoch(retrieved_at),
            kind=kind,
            path=sent_path,
            job=unit,
            **request_subject(sent_path, params),
        )
        body = raw.strip()
        # The API sends compact JSON; a body with a line break would break JSONL, so it is re-serialised.
        line = stamp_object(orjson.loads(body), stamp) if b"\n" in body else stamp_raw_object(body, stamp)
        write_landing_file(path, [line])
        return kind


def iso_epoch(seconds: float) -> str:
    return iso(datetime.fromtimestamp(seconds, UTC))

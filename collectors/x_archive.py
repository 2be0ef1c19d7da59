"""``tiemeter import x-archive``: the "Download your archive" format (``data/tweets.js`` and friends).

Each ``window.YTD.<name>.part<N> = [...]`` file is read as a stream of array items, one landed line
per item, so that a 100k-tweet archive never sits in memory at once.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from tiemeter.collectors.imports import ImportResult, find_landed, finish_import, import_landing_name
from tiemeter.collectors.json_limits import nesting_refusal, too_deep
from tiemeter.collectors.quarantine import Quarantine, Rejection
from tiemeter.landing import X_ARCHIVE_FOLLOWS, X_ARCHIVE_TWEETS, RollingLandingFile, provenance, stamp_object

SOURCE = "x_archive"
CHUNK = 1 << 16
_PREFIX = re.compile(r"^\s*window\.YTD\.([A-Za-z0-9_]+)\.part(\d+)\s*=\s*")
_BANNER_OWNER = re.compile(r"/profile_banners/(\d+)/")

# archive file -> (landing resource, item key inside each array element)
ARCHIVE_FILES = {
    "tweets": (X_ARCHIVE_TWEETS, "tweet"),
    "follower": (X_ARCHIVE_FOLLOWS, "follower"),
    "following": (X_ARCHIVE_FOLLOWS, "following"),
}


class ArchiveError(Exception):
    pass


def iter_ytd_items(path: Path) -> Iterator[tuple[int, Any]]:
    """Yield (item_number, item) from a ``window.YTD.<name>.part<N> = [ ... ]`` file, streaming.

    X writes archives in UTF-8; a file that is not (re-saved by an editor in another encoding) ends
    with an ``ArchiveError`` naming the file, the encoding tried and the first bad byte."""
    try:
        yield from _iter_ytd_items(path)
    except UnicodeDecodeError as error:
        raise ArchiveError(
            f"{path}: not readable as UTF-8, the encoding X writes archives in (a byte "
            f"0x{error.object[error.start]:02x}); re-export the archive or convert the file to UTF-8"
        ) from None


def _iter_ytd_items(path: Path) -> Iterator[tuple[int, Any]]:
    decoder = json.JSONDecoder()
    with open(path, encoding="utf-8-sig") as handle:
        buffer = handle.read(CHUNK)
        match = _PREFIX.match(buffer)
        if not match:
            raise ArchiveError(
                f"{path}: not an X archive file: it does not start with 'window.YTD.<name>.part<N> ='"
            )
        buffer = buffer[match.end() :].lstrip()
        if not buffer.startswith("["):
            raise ArchiveError(f"{path}: expected a JSON array after the 'window.YTD' prefix")
        buffer = buffer[1:]
        number = 0
        while True:
            buffer = buffer.lstrip().removeprefix(",").lstrip()
            if buffer.startswith("]"):
                return
            try:
                item, end = decoder.raw_decode(buffer)
                if too_deep(item):
                    raise RecursionError
            except RecursionError:
                raise ArchiveError(f"{path}: item {number + 1} is {nesting_refusal()}") from None
            except json.JSONDecodeError as error:
                more = handle.read(CHUNK)
                if not more:
                    where = "the array is not closed" if not buffer.strip() else error.msg
                    raise ArchiveError(f"{path}: truncated or invalid after item {number}: {where}") from None
                buffer += more
                continue
            number += 1
            yield number, item
            buffer = buffer[end:]
            if len(buffer) < CHUNK:
                buffer += handle.read(CHUNK)


def find_owner(data_dir: Path) -> tuple[str | None, str | None, str]:
    """The archive owner's (account id, username, how it was found)."""
    account = data_dir / "account.js"
    if account.is_file():
        for _, item in iter_ytd_items(account):
            acc = item.get("account") if isinstance(item, dict) else None
            if isinstance(acc, dict) and acc.get("accountId"):
                return str(acc["accountId"]), acc.get("username"), "account.js"
    manifest = data_dir / "manifest.js"
    if manifest.is_file():
        match = re.search(r'"accountId"\s*:\s*"(\d+)"', manifest.read_text("utf-8", errors="replace"))
        if match:
            user = re.search(r'"userName"\s*:\s*"([^"]+)"', manifest.read_text("utf-8", errors="replace"))
            return match.group(1), user.group(1) if user else None, "manifest.js"
    profile = data_dir / "profile.js"
    if profile.is_file():
        for _, item in iter_ytd_items(profile):
            prof = item.get("profile") if isinstance(item, dict) else None
            banner = str(prof.get("headerMediaUrl") or "") if isinstance(prof, dict) else ""
            match = _BANNER_OWNER.search(banner)
            if match:
                return match.group(1), None, "profile.js headerMediaUrl"
    return None, None, "not found"


def locate_data_dir(path: Path) -> tuple[Path, list[Path]]:
    """Accept the archive folder, its ``data/`` folder, or ``data/tweets.js`` itself."""
    path = Path(path)
    if path.is_file():
        data_dir = path.parent
        files = [path]
    elif (path / "data" / "tweets.js").is_file():
        data_dir = path / "data"
        files = []
    elif (path / "tweets.js").is_file():
        data_dir = path
        files = []
    else:
        raise ArchiveError(f"{path}: no data/tweets.js here; give the archive folder or its tweets.js")
    if not files:
        files = [data_dir / f"{name}.js" for name in ARCHIVE_FILES if (data_dir / f"{name}.js").is_file()]
        files += sorted(data_dir.glob("tweets-part*.js"))
    else:
        files += [data_dir / f"{n}.js" for n in ("follower", "following") if (data_dir / f"{n}.js").is_file()]
    return data_dir, files


def import_x_archive(
    path: Path, landing_root: Path, run_id: str, account_id: str | None = None
) -> ImportResult:
    result = ImportResult(str(path))
    try:
        data_dir, files = locate_data_dir(path)
        owner_id, owner_username, how = find_owner(data_dir)
    except ArchiveError as error:
        result.rejected.append(Rejection(str(path), None, str(error)))
        return result
    if account_id:
        owner_id, how = str(account_id), "--account-id"
    if not owner_id:
        result.rejected.append(
            Rejection(
                str(path),
                None,
                "cannot tell whose archive this is: no account.js, manifest.js or profile banner; pass --account-id",
            )
        )
        return result

    digest = hashlib.sha256(owner_id.encode())
    for file in files:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    sha = digest.hexdigest()
    name = import_landing_name("x-archive", sha)
    if find_landed(landing_root, f"{name}-tweets") or find_landed(landing_root, name):
        result.already_imported = True
        return result

    quarantine = Quarantine(landing_root, run_id, name)
    owner = {"account_id": owner_id, "account_username": owner_username, "account_found_in": how}
    for file in files:
        stem = file.stem.split("-part")[0]
        if stem not in ARCHIVE_FILES:
            continue
        resource, key = ARCHIVE_FILES[stem]
        # the stamp's fields that hold for the whole file; each line adds its index
        file_stamp = {
            "source": SOURCE,
            "endpoint": f"data/{file.name}",
            "run_id": run_id,
            "kind": stem,
            "source_file": str(file),
            **owner,
        }
        with RollingLandingFile(landing_root, resource, f"{name}-{file.stem}") as out:
            try:
                for index, item in iter_ytd_items(file):
                    if not isinstance(item, dict) or not isinstance(item.get(key), dict):
                        quarantine.add(
                            Rejection(
                                str(file),
                                index,
                                f"array item {index} has no '{key}' object",
                                _raw(item),
                            )
                        )
                        continue
                    try:
                        line = stamp_object(item, provenance(**file_stamp, source_line=index))
                    except orjson.JSONEncodeError as error:  # an integer over 64 bits, a lone surrogate
                        quarantine.add(
                            Rejection(
                                str(file),
                                index,
                                f"array item {index} holds a value the warehouse cannot hold: {error}",
                                _raw(item),
                            )
                        )
                        continue
                    out.write_line(line)
            except ArchiveError as error:
                quarantine.add(Rejection(str(file), None, str(error)))
            result.landed.extend(out.commit())
            result.items += out.lines
    return finish_import(result, quarantine, SOURCE)


def _raw(item: Any) -> bytes:
    """An item as it was read, for the quarantine (ASCII-escaped: it may hold a lone surrogate)."""
    return json.dumps(item, ensure_ascii=True).encode()

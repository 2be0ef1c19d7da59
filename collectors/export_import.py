"""``tiemeter import wxr`` and ``tiemeter import disqus-xml``: XML exports, one landed line per record.

A WordPress export (WXR) gives ``item`` records (posts and pages, each with its ``wp:comment``s),
``author`` records (the blog's users) and ``channel`` records (its title and URLs). A Disqus export
gives ``category``, ``thread`` and ``post`` records. Each is landed as ``{"record": ...}`` (see
``tiemeter.collectors.xml_records`` for the shape) with the import's sha256 in its stamp, so that staging can
join the records of one export. E-mail addresses are landed as the export has them (it is the user's
own file); staging hashes them and nothing downstream sees them in clear.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tiemeter.collectors.imports import ImportResult, finish_import, start_import
from tiemeter.collectors.quarantine import Quarantine, Rejection
from tiemeter.collectors.xml_records import XmlRecordError, iter_records
from tiemeter.collectors.xml_safety import EntityExpansionRefused
from tiemeter.landing import BLOG_DISQUS_XML, BLOG_WXR, RollingLandingFile, provenance


@dataclass(frozen=True)
class ExportFormat:
    name: str  # the import kind and the landed ``source``
    resource: str
    records: dict[tuple[str, ...], str]  # element path -> record kind
    lists: frozenset[str]
    url_paths: frozenset[tuple[str, ...]]  # records whose value hints at the blog's URL

    def first_url(self, path: Path) -> str | None:
        """The first absolute URL of the export (channel link, thread link): which blog it is."""
        try:
            for record in iter_records(path, set(self.url_paths), self.lists):
                url = record.value.get("link") if isinstance(record.value, dict) else record.value
                if isinstance(url, str) and url.strip().startswith(("http://", "https://")):
                    return url.strip()
        except (XmlRecordError, EntityExpansionRefused):
            return None
        return None


WXR = ExportFormat(
    name="wxr",
    resource=BLOG_WXR,
    records={
        ("rss", "channel", "item"): "item",
        ("rss", "channel", "wp:author"): "author",
        ("rss", "channel", "title"): "channel",
        ("rss", "channel", "link"): "channel",
        ("rss", "channel", "wp:base_site_url"): "channel",
        ("rss", "channel", "wp:base_blog_url"): "channel",
    },
    lists=frozenset({"wp:comment", "category", "wp:postmeta", "wp:commentmeta"}),
    url_paths=frozenset({("rss", "channel", "link"), ("rss", "channel", "wp:base_blog_url")}),
)

DISQUS_XML = ExportFormat(
    name="disqus_xml",
    resource=BLOG_DISQUS_XML,
    records={
        ("disqus", "category"): "category",
        ("disqus", "thread"): "thread",
        ("disqus", "post"): "post",
    },
    lists=frozenset(),
    url_paths=frozenset({("disqus", "thread")}),
)


def import_export(
    fmt: ExportFormat, path: Path, landing_root: Path, run_id: str, site_for: Callable[[str | None], str]
) -> ImportResult:
    path = Path(path)
    source_file = str(path)
    start = start_import(path, landing_root, fmt.name.replace("_", "-"))
    if start.done:
        return start.result
    result, sha, name = start.result, start.sha, start.name
    site = site_for(fmt.first_url(path))
    quarantine = Quarantine(landing_root, run_id, name)
    with RollingLandingFile(landing_root, fmt.resource, name) as out:
        try:
            for record in iter_records(path, set(fmt.records), fmt.lists):
                kind = fmt.records[record.path]
                value = record.value if kind != "channel" else {record.path[-1]: record.value}
                stamp = provenance(
                    source=fmt.name,
                    endpoint="import",
                    run_id=run_id,
                    kind=kind,
                    site=site,
                    import_sha256=sha,
                    source_file=source_file,
                )
                out.write_object({"record": value}, stamp)
        except XmlRecordError as error:
            quarantine.add(Rejection(source_file, error.line, str(error), _excerpt(path, error.line)))
        except EntityExpansionRefused as error:
            quarantine.add(Rejection(source_file, None, error.reason))
        result.items = out.lines
        if out.lines == 0 and not quarantine.rejections:
            quarantine.add(Rejection(source_file, None, f"no {fmt.name} records in this file"))
        result.landed.extend(out.commit())
    return finish_import(result, quarantine, fmt.name)


def _excerpt(path: Path, line: int | None) -> bytes:
    """The offending line, for the quarantine (the whole file may be large)."""
    if not line:
        return b""
    with open(path, "rb") as handle:
        for number, text in enumerate(handle, 1):
            if number == line:
                return text[:4096]
    return b""

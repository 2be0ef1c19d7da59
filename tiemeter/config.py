"""``tiemeter.toml``: validated configuration. A bad value gets an error that names its key.

Sections: ``[x]`` (the X API), ``[[x.searches]]``, ``[[accounts]]``, ``[[campaigns]]``,
``[[blogs]]``, ``[disqus]`` (the Disqus API), ``[http]`` (request deadlines), ``[metrics]`` (windows and thresholds) and ``[schedule]``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from tiemeter.errors import FatalError

DEFAULT_CONFIG_ENV = "TIEMETER_CONFIG"


class ConfigError(FatalError):
    pass


# -- small validators that name the key ------------------------------------------------------


def _take(
    table: dict[str, Any],
    key: str,
    where: str,
    kind: type | tuple[type, ...],
    default: Any = ...,
    choices=None,
):
    full = f"{where}.{key}" if where else key
    if key not in table:
        if default is ...:
            raise ConfigError(f"{full}: required key is missing")
        return default
    value = table[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, float)):
        expected = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ConfigError(f"{full}: expected {expected}, got {type(value).__name__} {value!r}")
    if choices is not None and value not in choices:
        raise ConfigError(f"{full}: {value!r} is not one of {', '.join(map(repr, choices))}")
    return value


def _positive(value: float, full: str) -> float:
    if value <= 0:
        raise ConfigError(f"{full}: must be greater than 0, got {value!r}")
    return value


def _non_negative(value: float, full: str) -> float:
    if value < 0:
        raise ConfigError(f"{full}: must be 0 or more, got {value!r}")
    return value


def _no_unknown(table: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(
            f"{where + '.' if where else ''}{unknown[0]}: unknown key (allowed: {', '.join(sorted(allowed))})"
        )


# -- sections --------------------------------------------------------------------------------


@dataclass(frozen=True)
class XSearch:
    query: str
    name: str


@dataclass(frozen=True)
class XConfig:
    base_url: str = "https://api.x.com"
    search: str = "recent"
    max_requests_per_run: int = 1000
    budget_usd_per_run: float = 5.0
    prices_usd: dict[str, float] = field(default_factory=dict)  # overrides of the default price table
    liking_users: bool = False
    max_rate_limit_wait_s: float = 900.0
    searches: tuple[XSearch, ...] = ()


@dataclass(frozen=True)
class Account:
    name: str
    x_username: str | None = None
    x_user_id: str | None = None


@dataclass(frozen=True)
class Campaign:
    name: str
    url: str | None = None
    query: str | None = None
    owner: str | None = None


@dataclass(frozen=True)
class Blog:
    name: str
    site_url: str
    feed_url: str
    comments: str = "feed"
    comments_feed_url: str | None = None
    disqus_forum: str = ""
    owner: str | None = None


@dataclass(frozen=True)
class DisqusConfig:
    base_url: str = "https://disqus.com/api/3.0"
    max_rate_limit_wait_s: float = 900.0


# Tie strength (docs/metrics.md): the weight of each term; tie_strength is their weighted mean.
TIE_WEIGHT_DEFAULTS = {
    "intensity": 0.30,
    "recency": 0.25,
    "reciprocity": 0.15,
    "active_days": 0.10,
    "duration": 0.10,
    "channels": 0.10,
    "frequency": 0.10,
}

# What one interaction of each kind adds to the intensity term of tie strength (pingbacks are not people).
TIE_INTERACTION_KINDS = (
    "reply",
    "retweet",
    "quote",
    "mention",
    "like",
    "link_share",
    "comment",
    "comment_reply",
)


@dataclass(frozen=True)
class CollectConfig:
    """``[collect]``: what a collection does when another one of the same source runs in this home."""

    when_busy: str = "wait"  # "wait" for it (up to busy_wait_s), or "exit" at once (exit code 5)
    busy_wait_s: float = 3600.0

    @property
    def wait_s(self) -> float | None:
        return self.busy_wait_s if self.when_busy == "wait" else None


@dataclass(frozen=True)
class HttpConfig:
    """``[http]``: limits of every request the collectors make."""

    deadline_s: float = 120.0  # one attempt, from connect to the last byte of the body
    read_timeout_s: float = 30.0  # the longest silence while waiting for the next bytes


@dataclass(frozen=True)
class WarehouseConfig:
    """``[warehouse]``: where the warehouse is. Unset, it is the DuckDB file of the home. With
    ``catalog = "postgres:dbname=... host=..."`` it is a DuckLake: its catalog in that PostgreSQL
    database, its data as Parquet files under ``data_path``."""

    catalog: str | None = None
    data_path: Path | None = None


LAKE_CATALOG_PREFIXES = ("postgres:",)


def _parse_warehouse(table: dict[str, Any], config_path: Path | None) -> WarehouseConfig:
    _no_unknown(table, {"catalog", "data_path"}, "warehouse")
    catalog = _take(table, "catalog", "warehouse", str, None)
    data_path = _take(table, "data_path", "warehouse", str, None)
    if catalog is None:
        if data_path is not None:
            raise ConfigError("warehouse.data_path: only used with warehouse.catalog (a DuckLake)")
        return WarehouseConfig()
    if not catalog.startswith(LAKE_CATALOG_PREFIXES) or not catalog.split(":", 1)[1].strip():
        raise ConfigError(
            'warehouse.catalog: expected "postgres:<libpq connection string>", e.g. '
            '"postgres:dbname=tiemeter host=127.0.0.1 user=postgres"'
        )
    if not data_path:
        raise ConfigError(
            "warehouse.data_path: required with warehouse.catalog (the folder of the Parquet files)"
        )
    return WarehouseConfig(catalog=catalog, data_path=_identities_path(data_path, config_path))


ATTRIBUTION_RULES = ("last_touch", "first_touch", "linear")


@dataclass(frozen=True)
class MetricsConfig:
    window_days: int = 90
    as_of: str | None = None
    heavyweight_followers: int = 100_000
    strong_tie_threshold: float = 0.5
    weak_tie_threshold: float = 0.15
    spread_weights: dict[str, float] = field(
        default_factory=lambda: {"true_reach": 0.4, "amplification": 0.3, "network_impact": 0.3}
    )
    tie_weights: dict[str, float] = field(default_factory=lambda: dict(TIE_WEIGHT_DEFAULTS))
    tie_interaction_weights: dict[str, float] = field(
        default_factory=lambda: dict.fromkeys(TIE_INTERACTION_KINDS, 1.0)
    )
    attribution_rule: str = "last_touch"  # one of ATTRIBUTION_RULES (docs/metrics.md, Attribution)
    attribution_lookback_days: int = 7


@dataclass(frozen=True)
class Config:
    path: Path | None
    x: XConfig = field(default_factory=XConfig)
    accounts: tuple[Account, ...] = ()
    campaigns: tuple[Campaign, ...] = ()
    blogs: tuple[Blog, ...] = ()
    disqus: DisqusConfig = field(default_factory=DisqusConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    http: HttpConfig = field(default_factory=HttpConfig)
    collect: CollectConfig = field(default_factory=CollectConfig)
    warehouse: WarehouseConfig = field(default_factory=WarehouseConfig)
    schedule: str = "@hourly"
    identities_file: Path | None = None  # identities.csv, relative to the config file
    conversions_files: tuple[Path, ...] = ()  # conversions CSVs the build imports, relative to the config
    conversions_decimal_separator: str | None = None  # "." or ","; None: refuse amounts that read two ways

    def account(self, name: str) -> Account:
        for account in self.accounts:
            if account.name == name:
                return account
        raise ConfigError(f"no [[accounts]] entry named {name!r}")


def _parse_x(table: dict[str, Any]) -> XConfig:
    allowed = {
        "base_url",
        "search",
        "max_requests_per_run",
        "budget_usd_per_run",
        "prices_usd",
        "liking_users",
        "max_rate_limit_wait_s",
        "searches",
    }
    _no_unknown(table, allowed, "x")
    base_url = _take(table, "base_url", "x", str, "https://api.x.com")
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"x.base_url: must start with http:// or https://, got {base_url!r}")
    searches = []
    for i, entry in enumerate(_take(table, "searches", "x", list, [])):
        where = f"x.searches[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: expected a table")
        _no_unknown(entry, {"query", "name"}, where)
        query = _take(entry, "query", where, str)
        searches.append(XSearch(query=query, name=_take(entry, "name", where, str, f"search-{i + 1}")))
    prices = _take(table, "prices_usd", "x", dict, {})
    for key, value in prices.items():
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"x.prices_usd.{key}: expected a price >= 0 in USD, got {value!r}")
    return XConfig(
        base_url=base_url.rstrip("/"),
        search=_take(table, "search", "x", str, "recent", choices=("recent", "all")),
        max_requests_per_run=int(
            _positive(_take(table, "max_requests_per_run", "x", int, 1000), "x.max_requests_per_run")
        ),
        budget_usd_per_run=_non_negative(
            _take(table, "budget_usd_per_run", "x", float, 5.0), "x.budget_usd_per_run"
        ),
        prices_usd={k: float(v) for k, v in prices.items()},
        liking_users=_take(table, "liking_users", "x", bool, False),
        max_rate_limit_wait_s=_non_negative(
            _take(table, "max_rate_limit_wait_s", "x", float, 900.0), "x.max_rate_limit_wait_s"
        ),
        searches=tuple(searches),
    )


def _parse_disqus(table: dict[str, Any]) -> DisqusConfig:
    _no_unknown(table, {"base_url", "max_rate_limit_wait_s"}, "disqus")
    defaults = DisqusConfig()
    base_url = _take(table, "base_url", "disqus", str, defaults.base_url)
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"disqus.base_url: must start with http:// or https://, got {base_url!r}")
    wait = _take(table, "max_rate_limit_wait_s", "disqus", float, defaults.max_rate_limit_wait_s)
    return DisqusConfig(
        base_url=base_url.rstrip("/"),
        max_rate_limit_wait_s=_positive(wait, "disqus.max_rate_limit_wait_s"),
    )


def _parse_http(table: dict[str, Any]) -> HttpConfig:
    _no_unknown(table, {"deadline_s", "read_timeout_s"}, "http")
    defaults = HttpConfig()
    deadline = _positive(_take(table, "deadline_s", "http", float, defaults.deadline_s), "http.deadline_s")
    read = _positive(
        _take(table, "read_timeout_s", "http", float, defaults.read_timeout_s), "http.read_timeout_s"
    )
    return HttpConfig(deadline_s=deadline, read_timeout_s=read)


def _parse_collect(table: dict[str, Any]) -> CollectConfig:
    _no_unknown(table, {"when_busy", "busy_wait_s"}, "collect")
    defaults = CollectConfig()
    return CollectConfig(
        when_busy=_take(table, "when_busy", "collect", str, defaults.when_busy, choices=("wait", "exit")),
        busy_wait_s=_non_negative(
            _take(table, "busy_wait_s", "collect", float, defaults.busy_wait_s), "collect.busy_wait_s"
        ),
    )


def _parse_list(raw: Any, key: str) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(e, dict) for e in raw):
        raise ConfigError(f"{key}: expected an array of tables ([[{key}]])")
    return raw


def _parse_metrics(table: dict[str, Any]) -> MetricsConfig:
    allowed = {
        "window_days",
        "as_of",
        "heavyweight_followers",
        "strong_tie_threshold",
        "weak_tie_threshold",
        "spread_weights",
        "tie_weights",
        "tie_interaction_weights",
        "attribution_rule",
        "attribution_lookback_days",
    }
    _no_unknown(table, allowed, "metrics")
    defaults = MetricsConfig()
    strong = _take(table, "strong_tie_threshold", "metrics", float, defaults.strong_tie_threshold)
    weak = _take(table, "weak_tie_threshold", "metrics", float, defaults.weak_tie_threshold)
    if not 0 <= weak <= strong <= 1:
        raise ConfigError(f"metrics.weak_tie_threshold: need 0 <= weak ({weak}) <= strong ({strong}) <= 1")
    weights = _take(table, "spread_weights", "metrics", dict, defaults.spread_weights)
    if set(weights) != set(defaults.spread_weights):
        raise ConfigError(
            f"metrics.spread_weights: keys must be {sorted(defaults.spread_weights)}, got {sorted(weights)}"
        )
    for key, value in weights.items():
        if not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"metrics.spread_weights.{key}: expected a weight >= 0, got {value!r}")
    as_of = _take(table, "as_of", "metrics", str, None)
    if as_of is not None:
        try:
            datetime.fromisoformat(as_of.replace("Z", "+00:00"))
        except ValueError:
            raise ConfigError(f"metrics.as_of: not an ISO 8601 time: {as_of!r}") from None
    return MetricsConfig(
        window_days=int(
            _positive(
                _take(table, "window_days", "metrics", int, defaults.window_days), "metrics.window_days"
            )
        ),
        as_of=as_of,
        heavyweight_followers=_take(
            table, "heavyweight_followers", "metrics", int, defaults.heavyweight_followers
        ),
        strong_tie_threshold=strong,
        weak_tie_threshold=weak,
        spread_weights={k: float(v) for k, v in weights.items()},
        tie_weights=_weight_table(table, "tie_weights", defaults.tie_weights, "term"),
        tie_interaction_weights=_weight_table(
            table, "tie_interaction_weights", defaults.tie_interaction_weights, "interaction kind"
        ),
        attribution_rule=_take(
            table, "attribution_rule", "metrics", str, defaults.attribution_rule, choices=ATTRIBUTION_RULES
        ),
        attribution_lookback_days=int(
            _positive(
                _take(table, "attribution_lookback_days", "metrics", int, defaults.attribution_lookback_days),
                "metrics.attribution_lookback_days",
            )
        ),
    )


def _weight_table(table: dict[str, Any], key: str, defaults: dict[str, float], what: str) -> dict[str, float]:
    """``metrics.<key>``: a table of weights >= 0 over the keys of ``defaults``; keys left out keep
    their default; the weights may not all be 0."""
    full = f"metrics.{key}"
    given = _take(table, key, "metrics", dict, {})
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise ConfigError(f"{full}.{unknown[0]}: unknown {what} (allowed: {', '.join(defaults)})")
    for name, value in given.items():
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"{full}.{name}: expected a weight >= 0, got {value!r}")
    weights = {**defaults, **{name: float(value) for name, value in given.items()}}
    if not any(weights.values()):
        raise ConfigError(f"{full}: at least one weight must be greater than 0")
    return weights


def parse_config(data: dict[str, Any], path: Path | None = None) -> Config:
    top_level = {
        "x",
        "accounts",
        "campaigns",
        "blogs",
        "disqus",
        "metrics",
        "http",
        "collect",
        "warehouse",
        "schedule",
    }
    _no_unknown(
        data, top_level | {"identities_file", "conversions_files", "conversions_decimal_separator"}, ""
    )
    accounts = []
    for i, entry in enumerate(_parse_list(data.get("accounts"), "accounts")):
        where = f"accounts[{i}]"
        _no_unknown(entry, {"name", "x_username", "x_user_id"}, where)
        accounts.append(
            Account(
                name=_take(entry, "name", where, str),
                x_username=_take(entry, "x_username", where, str, None),
                x_user_id=_take(entry, "x_user_id", where, str, None),
            )
        )
    names = [a.name for a in accounts]
    if len(set(names)) != len(names):
        raise ConfigError("accounts: two entries share a name")
    campaigns = []
    for i, entry in enumerate(_parse_list(data.get("campaigns"), "campaigns")):
        where = f"campaigns[{i}]"
        _no_unknown(entry, {"name", "url", "query", "owner"}, where)
        campaign = Campaign(
            name=_take(entry, "name", where, str),
            url=_take(entry, "url", where, str, None),
            query=_take(entry, "query", where, str, None),
            owner=_take(entry, "owner", where, str, None),
        )
        if not campaign.url and not campaign.query:
            raise ConfigError(f"{where}.url: a campaign needs a url or a query")
        if campaign.owner and campaign.owner not in names:
            raise ConfigError(f"{where}.owner: {campaign.owner!r} is not an [[accounts]] name")
        campaigns.append(campaign)
    blogs = []
    for i, entry in enumerate(_parse_list(data.get("blogs"), "blogs")):
        where = f"blogs[{i}]"
        _no_unknown(
            entry,
            {"name", "site_url", "feed_url", "comments", "comments_feed_url", "disqus_forum", "owner"},
            where,
        )
        blog = Blog(
            name=_take(entry, "name", where, str),
            site_url=_take(entry, "site_url", where, str),
            feed_url=_take(entry, "feed_url", where, str),
            comments=_take(entry, "comments", where, str, "feed", choices=("feed", "wordpress", "disqus")),
            comments_feed_url=_take(entry, "comments_feed_url", where, str, None),
            disqus_forum=_take(entry, "disqus_forum", where, str, ""),
            owner=_take(entry, "owner", where, str, None),
        )
        if blog.comments == "disqus" and not blog.disqus_forum:
            raise ConfigError(f'{where}.disqus_forum: required when comments = "disqus"')
        if blog.owner and blog.owner not in names:
            raise ConfigError(f"{where}.owner: {blog.owner!r} is not an [[accounts]] name")
        blogs.append(blog)
    x_table = data.get("x", {})
    if not isinstance(x_table, dict):
        raise ConfigError("x: expected a table ([x])")
    metrics_table = data.get("metrics", {})
    if not isinstance(metrics_table, dict):
        raise ConfigError("metrics: expected a table ([metrics])")
    disqus_table = data.get("disqus", {})
    if not isinstance(disqus_table, dict):
        raise ConfigError("disqus: expected a table ([disqus])")
    http_table = data.get("http", {})
    if not isinstance(http_table, dict):
        raise ConfigError("http: expected a table ([http])")
    collect_table = data.get("collect", {})
    if not isinstance(collect_table, dict):
        raise ConfigError("collect: expected a table ([collect])")
    warehouse_table = data.get("warehouse", {})
    if not isinstance(warehouse_table, dict):
        raise ConfigError("warehouse: expected a table ([warehouse])")
    return Config(
        path=path,
        x=_parse_x(x_table),
        accounts=tuple(accounts),
        campaigns=tuple(campaigns),
        blogs=tuple(blogs),
        disqus=_parse_disqus(disqus_table),
        metrics=_parse_metrics(metrics_table),
        http=_parse_http(http_table),
        collect=_parse_collect(collect_table),
        warehouse=_parse_warehouse(warehouse_table, path),
        schedule=_take(data, "schedule", "", str, "@hourly"),
        identities_file=_identities_path(_take(data, "identities_file", "", str, None), path),
        conversions_files=tuple(
            _identities_path(item, path)
            for item in _string_list(_take(data, "conversions_files", "", list, []), "conversions_files")
        ),
        conversions_decimal_separator=_take(
            data, "conversions_decimal_separator", "", str, None, choices=(".", ",")
        ),
    )


def _string_list(values: list, key: str) -> list[str]:
    for i, value in enumerate(values):
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{key}[{i}]: expected a file path, got {value!r}")
    return values


def _identities_path(value: str | None, config_path: Path | None) -> Path | None:
    """A path from the config, relative to the config file's folder."""
    if not value:
        return None
    candidate = Path(value).expanduser()
    if not candidate.is_absolute() and config_path is not None:
        candidate = config_path.parent / candidate
    return candidate


def load_config(path: str | os.PathLike | None = None) -> Config:
    """``path``, else ``$TIEMETER_CONFIG``, else ``./tiemeter.toml``; no file at all gives the defaults."""
    explicit = path or os.environ.get(DEFAULT_CONFIG_ENV)
    candidate = Path(explicit) if explicit else Path("tiemeter.toml")
    if not candidate.is_file():
        if explicit:
            raise ConfigError(f"{candidate}: no such config file")
        return parse_config({}, None)
    try:
        data = tomllib.loads(candidate.read_text("utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{candidate}: not valid TOML: {error}") from None
    try:
        return parse_config(data, candidate.resolve())
    except ConfigError as error:
        raise ConfigError(f"{candidate}: {error}") from None

"""The units of an X collection: what the configuration asks for, as independent pieces.

``users`` (follower snapshots of [[accounts]], which also resolves their ids), ``metrics`` (the
re-poll of watched tweets), one ``campaign:<name>`` per [[campaigns]], one ``search:<name>`` per
[[x.searches]] and one ``account:<name>`` per [[accounts]] with an X identity. The command line
runs them all in this order; Airflow maps one task per unit.
"""

from __future__ import annotations

from tiemeter.config import Config, ConfigError

USERS = "users"
METRICS = "metrics"


def plan_units(config: Config) -> list[str]:
    units = [USERS, METRICS]
    units += [f"campaign:{c.name}" for c in config.campaigns]
    units += [f"search:{s.name}" for s in config.x.searches]
    units += [f"account:{a.name}" for a in config.accounts if a.x_username or a.x_user_id]
    return units


def campaign_query(config: Config, name: str) -> str:
    for campaign in config.campaigns:
        if campaign.name == name:
            return campaign.query or f'url:"{campaign.url}"'
    raise ConfigError(f"no [[campaigns]] entry named {name!r}")


def search_query(config: Config, name: str) -> str:
    for search in config.x.searches:
        if search.name == name:
            return search.query
    raise ConfigError(f"no [[x.searches]] entry named {name!r}")


def check_units(config: Config, units: list[str]) -> None:
    known = plan_units(config)
    for unit in units:
        if unit not in known:
            raise ConfigError(f"unknown X collection unit {unit!r} (this config has: {', '.join(known)})")

"""Secrets, looked up only when something runs: never at import, never at DAG parse time.

The X bearer token comes from the env ``X_BEARER_TOKEN``, else from the password of the Airflow
connection ``x_api`` (whose host, when set, is the API base URL). Messages name where to put the
token, never the token itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from tiemeter.config import Config
from tiemeter.errors import FatalError

X_TOKEN_ENV = "X_BEARER_TOKEN"
X_CONNECTION_ID = "x_api"


@dataclass(frozen=True)
class XCredentials:
    token: str = field(repr=False)
    base_url: str | None = None  # the connection's host, when the token came from Airflow


def x_credentials() -> XCredentials:
    token = os.environ.get(X_TOKEN_ENV, "").strip()
    if token:
        return XCredentials(token)
    missing = (
        f"no X bearer token: set the env {X_TOKEN_ENV}, or the password of the Airflow connection "
        f"{X_CONNECTION_ID!r}"
    )
    try:
        from airflow.sdk import BaseHook
    except ImportError:
        raise FatalError(missing) from None
    try:
        connection = BaseHook.get_connection(X_CONNECTION_ID)
    except Exception as error:  # noqa: BLE001 - Airflow raises several kinds; none should leak details
        raise FatalError(f"{missing} ({type(error).__name__} looking it up)") from None
    if not connection.password:
        raise FatalError(missing)
    host = (connection.host or "").strip() or None
    if host and not host.startswith(("http://", "https://")):
        host = f"https://{host}"
    return XCredentials(connection.password, host)


def x_config_and_token(config: Config) -> tuple[Config, str]:
    """The token, and the config with ``x.base_url`` taken from the ``x_api`` connection's host if it has one."""
    credentials = x_credentials()
    if credentials.base_url:
        config = replace(config, x=replace(config.x, base_url=credentials.base_url))
    return config, credentials.token

"""Airflow across workers on loopback: the CeleryExecutor with Redis as the broker and PostgreSQL as the
metadata DB (a database of its own, created here), the API server, scheduler, DAG processor, triggerer
and Celery workers, each started as a process group of its own so that ``stop()`` ends every process
a component started (Celery's pool, the task supervisors, dbt) and leaves no orphan.

The DAGs are driven through the API server's public REST API (``AirflowApi``), so the caller needs no
Airflow import of its own.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import redis
import requests

WORKER_HOSTNAME_ENV = "TIEMETER_WORKER_HOSTNAME"
TERMINAL = {"success", "failed"}


def worker_hostname() -> str:
    """Airflow's ``hostname_callable`` for the cluster: each worker names itself (task_instance.hostname),
    as two workers on one machine would otherwise share its FQDN."""
    return os.environ.get(WORKER_HOSTNAME_ENV) or socket.getfqdn()


@dataclass(frozen=True)
class ClusterSpec:
    airflow_home: Path
    database: str = "tiemeter_airflow"
    pg_host: str = "127.0.0.1"
    pg_port: int = 5432
    pg_user: str = "postgres"
    redis_host: str = "127.0.0.1"
    redis_port: int = 6379
    redis_db: int = 11
    api_port: int = 8080
    workers: int = 2
    worker_concurrency: int = 1  # one task per worker at a time: two queued tasks land on both
    warehouse_slots: int = 1
    queue: str = "tiemeter"
    parallelism: int = 4
    dags_folder: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def metadata_url(self) -> str:
        return f"postgresql+psycopg2://{self.pg_user}@{self.pg_host}:{self.pg_port}/{self.database}"

    @property
    def broker_url(self) -> str:
        return f"redis://{self.redis_host}:{self.redis_port}/{self.redis_db}"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def logs(self) -> Path:
        return self.airflow_home / "cluster-logs"


def missing_services(spec: ClusterSpec) -> list[str]:
    """What is not reachable, each with what to install or start; empty when both answer."""
    missing = []
    try:
        psycopg2.connect(
            host=spec.pg_host, port=spec.pg_port, user=spec.pg_user, dbname="postgres", connect_timeout=3
        ).close()
    except psycopg2.Error as error:
        missing.append(
            f"PostgreSQL is not reachable at {spec.pg_host}:{spec.pg_port} as user {spec.pg_user} "
            f"(trust auth): install it (apt-get install postgresql) and start it (service postgresql "
            f"start); {str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__}"
        )
    try:
        redis.Redis(host=spec.redis_host, port=spec.redis_port, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        missing.append(
            f"Redis is not reachable at {spec.redis_host}:{spec.redis_port}: install it (apt-get install "
            f"redis-server) and start it (service redis-server start); {error}"
        )
    return missing


def _admin(spec: ClusterSpec):
    con = psycopg2.connect(host=spec.pg_host, port=spec.pg_port, user=spec.pg_user, dbname="postgres")
    con.autocommit = True
    return con


def drop_database(spec: ClusterSpec, name: str) -> None:
    """Drop one of the cluster's own databases (never another's: the caller names only its own)."""
    con = _admin(spec)
    try:
        with con.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> "
                "pg_backend_pid()",
                [name],
            )
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        con.close()


def recreate_database(spec: ClusterSpec, name: str) -> None:
    drop_database(spec, name)
    con = _admin(spec)
    try:
        with con.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
    finally:
        con.close()


def environment(spec: ClusterSpec) -> dict[str, str]:
    """The Airflow settings every component shares (environment variables, no airflow.cfg edits)."""
    env = dict(os.environ)
    env.update(
        AIRFLOW_HOME=str(spec.airflow_home),
        AIRFLOW__CORE__EXECUTOR="CeleryExecutor",
        AIRFLOW__CORE__PARALLELISM=str(spec.parallelism),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__UNIT_TEST_MODE="False",
        AIRFLOW__CORE__HOSTNAME_CALLABLE="tiemeter.cluster.worker_hostname",
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"{spec.api_url}/execution/",
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="admin:admin",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=spec.metadata_url,
        AIRFLOW__CELERY__BROKER_URL=spec.broker_url,
        AIRFLOW__CELERY__RESULT_BACKEND=f"db+{spec.metadata_url}",
        AIRFLOW__CELERY__WORKER_CONCURRENCY=str(spec.worker_concurrency),
        AIRFLOW__CELERY__WORKER_PREFETCH_MULTIPLIER="1",
        AIRFLOW__OPERATORS__DEFAULT_QUEUE=spec.queue,
        AIRFLOW__API__HOST="127.0.0.1",
        AIRFLOW__API__PORT=str(spec.api_port),
        AIRFLOW__API__WORKERS="2",
        AIRFLOW__API__BASE_URL=spec.api_url,
        # one secret for the whole cluster: the executor signs the workers' tokens, the API checks them
        AIRFLOW__API_AUTH__JWT_SECRET=env.get("AIRFLOW__API_AUTH__JWT_SECRET") or secrets.token_urlsafe(32),
        AIRFLOW__LOGGING__LOGGING_LEVEL="INFO",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    if spec.dags_folder is not None:
        env["AIRFLOW__CORE__DAGS_FOLDER"] = str(spec.dags_folder)
    env.update(spec.extra_env)
    return env


class Cluster:
    """``with Cluster(spec) as cluster:`` prepares the metadata DB, starts every component, and stops
    them all (process group by process group) on the way out, Ctrl-C included."""

    def __init__(self, spec: ClusterSpec):
        self.spec = spec
        self.env = environment(spec)
        self.procs: dict[str, subprocess.Popen] = {}

    def airflow(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "airflow", *args], env=self.env, capture_output=True, text=True
        )

    def prepare(self) -> None:
        """A new metadata database of the cluster's own, migrated; the warehouse pool; an empty queue."""
        self.spec.airflow_home.mkdir(parents=True, exist_ok=True)
        self.spec.logs.mkdir(parents=True, exist_ok=True)
        recreate_database(self.spec, self.spec.database)
        redis.Redis(host=self.spec.redis_host, port=self.spec.redis_port, db=self.spec.redis_db).delete(
            self.spec.queue
        )
        for args in (
            ("db", "migrate"),
            ("pools", "set", "tiemeter_warehouse", str(self.spec.warehouse_slots), "the warehouse's writers"),
        ):
            done = self.airflow(*args)
            if done.returncode != 0:
                raise RuntimeError(
                    f"airflow {' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
                )

    def _start(self, name: str, args: list[str], extra: dict[str, str] | None = None) -> None:
        log = open(self.spec.logs / f"{name}.log", "ab")  # noqa: SIM115 (the child keeps it)
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "airflow", *args],
            env={**self.env, **(extra or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            process_group=0,  # a group of its own: stop() signals it with everything it started
        )
        log.close()

    def start(self) -> None:
        self._start("api-server", ["api-server", "--port", str(self.spec.api_port), "--host", "127.0.0.1"])
        self._start("scheduler", ["scheduler"])
        self._start("dag-processor", ["dag-processor"])
        self._start("triggerer", ["triggerer"])
        host = socket.getfqdn()
        for i in range(1, self.spec.workers + 1):
            name = f"worker{i}"
            self._start(
                name,
                ["celery", "worker", "--celery-hostname", f"{name}@{host}", "--queues", self.spec.queue,
                 "--concurrency", str(self.spec.worker_concurrency), "--skip-serve-logs"],
                {WORKER_HOSTNAME_ENV: f"{name}.{host}"},
            )  # fmt: skip

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                tail = (self.spec.logs / f"{name}.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"the {name} exited ({proc.returncode}); its log ends:\n{tail}")

    def stop(self, timeout: float = 45.0) -> None:
        """SIGTERM to every component's group, SIGKILL to whatever is left after ``timeout``."""
        for proc in self.procs.values():
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + timeout
        for proc in self.procs.values():
            while time.monotonic() < deadline and _group_alive(proc):
                proc.poll()
                time.sleep(0.3)
            if _group_alive(proc):
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            proc.wait()
        self.procs.clear()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _group_alive(proc: subprocess.Popen) -> bool:
    proc.poll()
    try:
        os.killpg(proc.pid, 0)
    except ProcessLookupError:
        return False
    return True


class AirflowApi:
    """The few calls of Airflow 3's public REST API the cluster needs, as the simple auth manager's admin."""

    def __init__(self, spec: ClusterSpec):
        self.spec = spec
        self.session = requests.Session()
        self.session.trust_env = False  # loopback only, never a proxy

    def login(self, timeout: float = 240.0, alive=lambda: None) -> None:
        passwords = self.spec.airflow_home / "simple_auth_manager_passwords.json.generated"
        deadline = time.monotonic() + timeout
        while True:
            alive()
            try:
                if passwords.is_file():
                    password = json.loads(passwords.read_text())["admin"]
                    r = self.session.post(
                        f"{self.spec.api_url}/auth/token",
                        json={"username": "admin", "password": password},
                        timeout=10,
                    )
                    if r.status_code in (200, 201):
                        token = r.json()["access_token"]
                        self.session.headers["Authorization"] = f"Bearer {token}"
                        return
            except (requests.RequestException, ValueError, KeyError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"the API server at {self.spec.api_url} did not let the admin in")
            time.sleep(1)

    def _call(self, method: str, path: str, **kwargs) -> dict:
        r = self.session.request(method, f"{self.spec.api_url}/api/v2{path}", timeout=120, **kwargs)
        r.raise_for_status()
        return r.json()

    def wait_for_dags(self, dag_ids, timeout: float = 240.0, alive=lambda: None) -> None:
        """Until the DAG processor has parsed every DAG."""
        deadline = time.monotonic() + timeout
        pending = set(dag_ids)
        while pending:
            alive()
            for dag_id in sorted(pending):
                r = self.session.get(f"{self.spec.api_url}/api/v2/dags/{dag_id}", timeout=10)
                if r.status_code == 200:
                    pending.discard(dag_id)
            if pending and time.monotonic() > deadline:
                raise TimeoutError(f"DAGs not parsed after {timeout:.0f}s: {sorted(pending)}")
            time.sleep(1)

    def set_paused(self, dag_id: str, paused: bool) -> None:
        self._call("PATCH", f"/dags/{dag_id}", json={"is_paused": paused})

    def trigger(self, dag_id: str, conf: dict | None = None) -> str:
        run = self._call("POST", f"/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf or {}})
        return run["dag_run_id"]

    def run_state(self, dag_id: str, run_id: str) -> str:
        return self._call("GET", f"/dags/{dag_id}/dagRuns/{run_id}")["state"]

    def wait(self, runs: list[tuple[str, str]], timeout: float = 900.0, alive=lambda: None) -> dict:
        """Until every (dag_id, run_id) has finished; their states."""
        deadline = time.monotonic() + timeout
        states: dict[tuple[str, str], str] = {}
        while True:
            alive()
            for key in runs:
                if states.get(key) not in TERMINAL:
                    states[key] = self.run_state(*key)
            if all(state in TERMINAL for state in states.values()):
                return states
            if time.monotonic() > deadline:
                raise TimeoutError(f"DAG runs not finished after {timeout:.0f}s: {states}")
            time.sleep(2)

"""``make airflow``: Airflow's standalone mode (scheduler, API server, DAG processor, triggerer) with the
tiemeter DAGs and the demo config, the fake servers running beside it. UI: http://localhost:8080.

Ctrl-C stops the whole process group: Airflow runs in a session of its own, which receives the
signal, and the fake servers stop with this process.

To use real credentials instead, see README.md ("Running Airflow on real data").
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tiemeter.dag_files import dags_folder
from tiemeter.demo.case_study import build_case_study
from tiemeter.demo.config import DEMO_TOKEN, PUBLIC_BLOG_URL
from tiemeter.demo.fake_blog import FakeBlog
from tiemeter.demo.fake_x_api.server import FakeXApi
from tiemeter.demo.run import STATE, prepare

HOME = STATE / "airflow-demo"
# its own Airflow home, apart from the one `make demo` and `make test` run dag.test() in
AIRFLOW_HOME = STATE / "airflow-standalone"


def _login(airflow_home: Path, timeout: float = 120.0) -> str:
    """Airflow 3's simple auth manager writes the generated admin password on first start."""
    deadline = time.monotonic() + timeout
    path = airflow_home / "simple_auth_manager_passwords.json.generated"
    while time.monotonic() < deadline:
        if path.is_file():
            try:
                users = json.loads(path.read_text())
                return ", ".join(f"{user} / {password}" for user, password in users.items())
            except (ValueError, OSError):
                pass
        time.sleep(1)
    return f"see {path} once Airflow has started"


def _wait_until_up(port: str, timeout: float = 180.0) -> bool:
    """Until the API server answers its health check: the start-up noise is over by then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(1)
    return False


def _banner(port: str, login: str) -> str:
    return "\n".join(
        [
            "",
            "=" * 72,
            f"  Airflow UI:  http://localhost:{port}",
            f"  login:       {login}",
            "  The DAGs start paused: unpause tiemeter_collect_x, tiemeter_collect_blogs and",
            "  tiemeter_build_warehouse with their toggles in the UI, or from another shell:",
            f"    AIRFLOW_HOME={AIRFLOW_HOME} .venv/bin/airflow dags unpause tiemeter_collect_x",
            "  Ctrl-C stops Airflow and the fake servers.",
            "=" * 72,
        ]
    )


def _reap(group: int, timeout: float = 30.0) -> None:
    """Wait until every process of Airflow's group has gone (the components exit after standalone)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.5)
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        pass


def main() -> int:
    airflow_home = Path(os.environ.get("TIEMETER_AIRFLOW_HOME", AIRFLOW_HOME))
    os.environ["AIRFLOW_HOME"] = str(airflow_home)
    env_defaults = {
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder()),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": "4",  # default parallelism needs ~5.5 GB
        "AIRFLOW__API__PORT": "8080",
    }
    for key, value in env_defaults.items():
        os.environ.setdefault(key, value)
    # standalone starts its components as `airflow ...` commands: the venv's bin must be on PATH
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    study = build_case_study()
    with (
        FakeXApi(study.x_dataset(), token=DEMO_TOKEN) as x_api,
        FakeBlog(study.blog_dataset(), public_url=PUBLIC_BLOG_URL) as blog,
    ):
        prepare(HOME, x_api.base_url, blog.base_url, study)
        print(f"fake X API on {x_api.base_url}, fake blog on {blog.base_url}; tiemeter home {HOME}")
        airflow_home.mkdir(parents=True, exist_ok=True)
        print(f"preparing the Airflow home {airflow_home} ...", flush=True)
        for command in (
            ["db", "migrate"],
            ["pools", "set", "tiemeter_warehouse", "1", "DuckDB allows one writer"],
        ):
            subprocess.run([sys.executable, "-m", "airflow", *command], check=True, capture_output=True)
        print("starting `airflow standalone` (Ctrl-C stops it all) ...", flush=True)
        proc = subprocess.Popen([sys.executable, "-m", "airflow", "standalone"], start_new_session=True)

        def stop(*_):
            raise KeyboardInterrupt

        # explicit handlers: a shell may start us with SIGINT ignored, and Ctrl-C must still work
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            port = os.environ["AIRFLOW__API__PORT"]
            login = _login(airflow_home)
            _wait_until_up(port)
            time.sleep(3)  # the last components report in just after the API server
            print(_banner(port, login), flush=True)
            proc.wait()
        except KeyboardInterrupt:
            print("\nstopping Airflow ...", flush=True)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            _reap(proc.pid)
    print("stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

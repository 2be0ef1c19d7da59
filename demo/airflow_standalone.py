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
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HOME = REPO / ".tiemeter" / "airflow-demo"


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
    from demo.case_study import build_case_study
    from demo.config import DEMO_TOKEN, PUBLIC_BLOG_URL
    from demo.fake_blog import FakeBlog
    from demo.fake_x_api.server import FakeXApi
    from demo.run import prepare

    airflow_home = Path(os.environ.get("AIRFLOW_HOME", REPO / ".tiemeter" / "airflow"))
    env_defaults = {
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
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
        print("starting `airflow standalone` (Ctrl-C stops it all) ...", flush=True)
        proc = subprocess.Popen([sys.executable, "-m", "airflow", "standalone"], start_new_session=True)

        def stop(*_):
            raise KeyboardInterrupt

        # explicit handlers: a shell may start us with SIGINT ignored, and Ctrl-C must still work
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            print(
                f"UI: http://localhost:{os.environ['AIRFLOW__API__PORT']}  login: {_login(airflow_home)}",
                flush=True,
            )
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

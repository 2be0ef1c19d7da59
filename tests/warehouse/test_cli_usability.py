"""What a new user meets first: mistyped commands and homes, and commands run in the wrong order."""

from __future__ import annotations

import pytest
from support import REALDATA


def test_a_mistyped_command_gets_a_suggestion_and_exit_code_2(capsys):
    from tiemeter.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["stauts"])
    assert exit_.value.code == 2
    assert "did you mean 'status'?" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["import", "twrc", "x.jsonl"])
    assert "did you mean 'twarc'?" in capsys.readouterr().err


def test_status_on_a_mistyped_home_creates_nothing(tmp_path, cli):
    from tiemeter.settings import Home

    typo = Home.resolve(tmp_path / "hoem")
    result = cli(typo, "status")
    assert result.code == 1
    assert f"no warehouse at {typo.db_path}: check --home" in result.err
    assert not (tmp_path / "hoem").exists()


def test_report_before_transform_says_what_to_run(home, cli):
    assert cli(home, "import", "twarc", str(REALDATA / "x_api_v2" / "two_tweets.jsonl")).code == 0
    result = cli(home, "report")
    assert result.code == 1
    assert "run 'tiemeter transform' first" in result.err and "Exception" not in result.err


def test_the_replay_clock_is_read_from_the_environment(monkeypatch):
    import time

    from tiemeter.errors import FatalError
    from tiemeter.settings import replay_offset_s

    monkeypatch.delenv("TIEMETER_REPLAY_NOW", raising=False)
    assert replay_offset_s() == 0.0
    monkeypatch.setenv("TIEMETER_REPLAY_NOW", "2012-12-24T09:30:00Z")
    assert abs(replay_offset_s() - (1356341400 - time.time())) < 5
    for bad in ("yesterday", "2012-12-24T09:30:00"):
        monkeypatch.setenv("TIEMETER_REPLAY_NOW", bad)
        with pytest.raises(FatalError, match="TIEMETER_REPLAY_NOW"):
            replay_offset_s()

"""What ``tiemeter collect x`` shows: a redrawn line with a countdown on a terminal, plain lines elsewhere."""

from __future__ import annotations

import io

from tiemeter.collectors.x_api.ledger import RunTotals
from tiemeter.collectors.x_api.paginate import PageJob
from tiemeter.commands.collect_progress import CollectProgress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


JOB = PageJob("campaign:door", "/2/tweets/search/recent", "campaign door", call=lambda **_: {})


def test_on_a_terminal_the_line_is_redrawn_and_waits_count_down():
    out, slept = Terminal(), []
    progress = CollectProgress(out, real_sleep=slept.append)
    progress.unit_started("campaign:door")
    progress.page_landed(JOB, 100, RunTotals(requests=3, pages=2, tweets=200, users=5, cost_usd=1.0))
    assert (
        "\r" in out.getvalue() and "2 pages, 200 tweets, 5 users, 3 requests, est. $1.000" in out.getvalue()
    )
    progress.waiting(2.5, "HTTP 429 from /2/tweets/search/recent")
    progress.sleep(2.5)
    assert sum(slept) == 2.5 and len(slept) >= 3  # at most a second between redraws
    assert "left (HTTP 429" in out.getvalue()


def test_elsewhere_plain_lines():
    out = io.StringIO()
    progress = CollectProgress(out, real_sleep=lambda s: None)
    progress.unit_started("account:Mark")
    progress.page_landed(JOB, 100, RunTotals(pages=1))
    progress.waiting(900, "rate limit window exhausted for /2/users/:id/mentions")
    lines = out.getvalue().splitlines()
    assert lines[0] == "collecting account:Mark"
    assert lines[1].startswith("waiting 900s (until ") and "mentions" in lines[1]
    assert "\r" not in out.getvalue()

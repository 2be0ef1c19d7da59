"""The report's own pieces: the histogram keeps every bin, rates keep a sensible precision, posts read as text."""

from __future__ import annotations

import random

from tiemeter.reports.report import HISTOGRAM_BINS, TIE_CLASSES, fmt_rate, histogram_values, shorten


def test_the_histogram_has_every_bin_and_class_with_the_counts_of_its_input():
    rng = random.Random(7)
    strengths = [
        {"tie_strength": s, "tie_class": "strong" if s >= 0.5 else "weak" if s >= 0.15 else "none"}
        for s in [rng.uniform(0.6, 0.8) for _ in range(30)] + [0.0, 1.0, 0.05, 0.2, 0.2]
    ]
    values = histogram_values(strengths)
    assert len(values) == HISTOGRAM_BINS * len(TIE_CLASSES)  # empty bins included
    labels = list(dict.fromkeys(v["bin"] for v in values))
    assert labels[0] == "0.00–0.05" and labels[-1] == "0.95–1.00" and len(labels) == 20
    for v in values:
        lo, hi = v["start"], v["start"] + 0.05
        expected = sum(
            1
            for s in strengths
            if s["tie_class"] == v["tie_class"]
            and (lo <= s["tie_strength"] < hi or (hi > 0.999 and s["tie_strength"] == 1.0))
        )
        assert v["people"] == expected, v
    assert sum(v["people"] for v in values) == len(strengths)
    assert sum(v["people"] == 0 for v in values) > 0


def test_rates_are_percentages_with_at_most_three_significant_digits():
    assert fmt_rate(None) == "-"
    assert fmt_rate(0) == "0 %"
    assert fmt_rate(0.123456) == "12.3 %"
    assert fmt_rate(0.0123456) == "1.23 %"
    assert fmt_rate(0.0000183) == "0.002 %"
    assert fmt_rate(1.5) == "150 %"


def test_posts_are_shown_by_their_text_without_links_and_shortened():
    text = "Please read and give:\n https://example.blog/2012/12/10/a-door-for-christmas/ " + "x" * 200
    short = shorten(text, 40)
    assert short.startswith("Please read and give: xxx") and "http" not in short
    assert len(short) == 40 and short.endswith("…")
    assert shorten("https://t.co/abc") == ""

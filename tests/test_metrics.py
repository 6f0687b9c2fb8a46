"""Prometheus metrics: one registry per app, and labels that can never name a person."""

from __future__ import annotations

from bot.metrics import Metrics


def test_two_apps_in_one_process_keep_their_own_figures() -> None:
    first, second = Metrics(), Metrics()
    first.deliveries.labels("sent").inc(3)
    assert b'uabot_deliveries_total{outcome="sent"} 3.0' in first.exposition()
    assert b'uabot_deliveries_total{outcome="sent"} 0.0' in second.exposition()


def test_every_series_exists_from_the_start_and_labels_are_fixed_words() -> None:
    metrics = Metrics()
    metrics.set_queue({"ua": 12, "reminder": 4})
    text = metrics.exposition().decode()
    for line in (
        'uabot_updates_total{outcome="ok"} 0.0',
        'uabot_updates_total{outcome="error"} 0.0',
        'uabot_deliveries_total{outcome="blocked"} 0.0',
        "uabot_telegram_429_total 0.0",
        'uabot_outbox_depth{kind="ua"} 12.0',
        'uabot_outbox_depth{kind="reminder"} 4.0',
        "uabot_reminders_due 4.0",
        'uabot_update_seconds_bucket{le="0.05"} 0.0',
        'uabot_replies_lost_total{reason="RetryLater"} 0.0',
    ):
        assert line in text
    labels = {
        part.split("=")[0]
        for line in text.splitlines()
        if "{" in line and not line.startswith("#")
        for part in line[line.index("{") + 1 : line.index("}")].split(",")
    }
    assert labels == {"outcome", "kind", "le", "reason"}

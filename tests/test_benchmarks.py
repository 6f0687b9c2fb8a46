"""Every benchmark runs, at a small size: a change that breaks one fails here, not on the day
someone needs its figures (bench_scale once failed for weeks on a deadline it set itself).
Only that each runs and prints its table is checked: timings never decide a test."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL
from tests.live import without_settings

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = ["--database-url", POSTGRES_URL] if POSTGRES_URL else []

#: Each script in benchmarks/ with arguments that make it take seconds.
SMALL = {
    "bench_parse": ["--scale", "0.01"],
    "bench_scale": ["--subscribers", "300"],
    "bench_outbox": ["--sizes", "1000", *POSTGRES],
    "bench_broadcast": [
        "--subscribers", "200", "--limited", "60", "--pressers", "2", "--runs", "1",
        "--paid", "300",
    ],
    "bench_resilience": ["--trials", "1", "--subscribers", "300", "--kills", "1"],
    "bench_updates": [
        "--library", "aiogram", "--burst", "20", "--bursts", "1", "--rate", "20", "--seconds", "1"
    ],
    "bench_db_faults": ["--subscribers", "60", "--seconds", "1", "--libraries", "ptb", *POSTGRES],
    "bench_processes": ["--subscribers", "60", "--runs", "1", *POSTGRES],
}  # fmt: skip


def test_every_benchmark_is_listed() -> None:
    scripts = {path.stem for path in (ROOT / "benchmarks").glob("bench_*.py")}
    assert scripts == set(SMALL)


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(SMALL))
def test_the_benchmark_runs_at_a_small_size(script: str) -> None:
    environ = without_settings()
    result = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{script}", *SMALL[script]],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "\n--" in result.stdout, result.stdout  # a table's rule: figures were printed

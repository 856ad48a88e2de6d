"""The benchmark harness at its smallest sizes: every key is written, as a number, with a report.

Not a timed test: nothing here asserts on speed, only that a reader of
bench/out/results.json finds every figure the issue names, measured.
"""
from __future__ import annotations

import json
import math

import pytest

from bench.measure import percentile
from bench.run import EXTRA_KEYS, KEYS, SMOKE, exponent, run


@pytest.mark.slow
def test_smallest_run_writes_every_key_as_a_number(tmp_path):
    run(SMOKE, out_dir=tmp_path)
    saved = json.loads((tmp_path / "results.json").read_text())
    for key in (*KEYS, *EXTRA_KEYS):
        value = saved.get(key)
        assert isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value), \
            f"{key} = {value!r}: {saved['missing'].get(key, 'no reason given')}"
    assert saved["missing"] == {}
    assert saved["api_errors"] == 0
    assert set(saved["targets"]) == {k for k, (_, target) in KEYS.items() if target}
    assert saved["machine"]["logical_cores"] >= 1 and saved["versions"]["pyoxigraph"]
    report = (tmp_path / "report.md").read_text()
    for key in KEYS:
        assert f"`{key}`" in report


def test_growth_exponent_recovers_the_power_of_a_power_law():
    sizes = [1_000, 2_000, 4_000]
    assert exponent(sizes, [3 * s for s in sizes]) == pytest.approx(1.0)
    assert exponent(sizes, [s ** 2 for s in sizes]) == pytest.approx(2.0)
    assert exponent(sizes, [7.0, 7.0, 7.0]) == pytest.approx(0.0)
    assert math.isnan(exponent([1_000], [5.0]))


def test_percentile_interpolates_between_ranks():
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == pytest.approx(2.5)
    assert percentile(list(map(float, range(101))), 99) == pytest.approx(99.0)
    assert math.isnan(percentile([], 50))

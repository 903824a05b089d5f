"""The figures of repeated runs and the targets they are judged by."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.results import Case, Check, Report, Sample, SuiteResult


def test_a_sample_is_its_median_and_half_its_range() -> None:
    sample = Sample.of([90.0, 100.0, 120.0])
    assert sample.median == 100.0
    assert sample.spread == pytest.approx(0.15)


def test_a_sample_needs_a_run() -> None:
    with pytest.raises(ValueError):
        Sample.of([])


def test_a_check_is_met_on_the_right_side_of_its_bound() -> None:
    assert Check("at least", 0.6, 0.5, at_least=True).met
    assert not Check("at least", 0.4, 0.5, at_least=True).met
    assert Check("at most", 40, 50, at_least=False).met
    assert not Check("at most", 60, 50, at_least=False).met


def test_the_report_shows_each_suite_and_writes_every_run(tmp_path: Path) -> None:
    case = Case("suite", {"kind": "a"}, {"ops/s": Sample.of([1.0, 3.0])}, {"÷ base": 0.5})
    report = Report({"cores": 2}, {"smoke": True})
    report.add(SuiteResult([case], [Check("ratio ≥ 0.5", 0.5, 0.5, True)], ["no wrk"]))
    text = report.text()
    assert "| a | 2.00 ±50% | 0.50 |" in text and "| ratio ≥ 0.5 | 0.50 | ≥ 0.50 | met |" in text
    report.write_json(tmp_path / "r.json")
    written = json.loads((tmp_path / "r.json").read_text())
    assert written["cases"][0]["metrics"]["ops/s"]["runs"] == [1.0, 3.0]
    assert written["checks"][0]["met"] is True and written["skipped"] == ["no wrk"]

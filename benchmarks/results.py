"""Figures of repeated runs, the targets they are held to, and how they are shown."""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Sample:
    """One figure measured in several runs."""

    values: tuple[float, ...]

    @classmethod
    def of(cls, values: Iterable[float]) -> Sample:
        kept = tuple(values)
        if not kept:
            raise ValueError("a sample needs at least one run")
        return cls(kept)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def spread(self) -> float:
        """Half the range between the fastest and slowest run, relative to the median."""
        if self.median == 0:
            return 0.0
        return (max(self.values) - min(self.values)) / 2 / abs(self.median)

    def as_json(self) -> dict[str, Any]:
        return {
            "median": self.median,
            "min": min(self.values),
            "max": max(self.values),
            "spread": self.spread,
            "runs": list(self.values),
        }


@dataclass
class Case:
    """One measured situation of a suite, e.g. `/license status` at concurrency 32 on SQLite."""

    suite: str
    labels: dict[str, str]
    metrics: dict[str, Sample]
    ratios: dict[str, float] = field(default_factory=dict)
    notes: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "labels": self.labels,
            "metrics": {name: sample.as_json() for name, sample in self.metrics.items()},
            "ratios": self.ratios,
            "notes": self.notes,
        }


@dataclass(frozen=True)
class Check:
    """A target from the issue and the figure it is judged on."""

    target: str
    figure: float
    bound: float
    at_least: bool  # True: figure ≥ bound is met; False: figure ≤ bound

    @property
    def met(self) -> bool:
        return self.figure >= self.bound if self.at_least else self.figure <= self.bound


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("inf")


def format_number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _sample_cell(sample: Sample) -> str:
    return f"{format_number(sample.median)} ±{sample.spread:.0%}"


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _columns(cases: Sequence[Case], part: str) -> list[str]:
    names: dict[str, None] = {}
    for case in cases:
        names.update(dict.fromkeys(getattr(case, part)))
    return list(names)


def suite_table(cases: Sequence[Case]) -> str:
    """Labels, then each metric as `median ±spread`, then each ratio."""
    labels, metrics, ratios = (_columns(cases, part) for part in ("labels", "metrics", "ratios"))
    rows = []
    for case in cases:
        row = [case.labels.get(name, "") for name in labels]
        row += [_sample_cell(case.metrics[m]) if m in case.metrics else "" for m in metrics]
        row += [f"{case.ratios[r]:.2f}" if r in case.ratios else "" for r in ratios]
        rows.append(row)
    return markdown_table(labels + metrics + ratios, rows)


def checks_table(checks: Sequence[Check]) -> str:
    rows = [
        [
            check.target,
            format_number(check.figure),
            f"{'≥' if check.at_least else '≤'} {format_number(check.bound)}",
            "met" if check.met else "**missed**",
        ]
        for check in checks
    ]
    return markdown_table(["target", "figure", "bound", ""], rows)


@dataclass
class SuiteResult:
    cases: list[Case] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass
class Report:
    machine: dict[str, Any]
    settings: dict[str, Any]
    cases: list[Case] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def add(self, result: SuiteResult) -> None:
        self.cases += result.cases
        self.checks += result.checks
        self.skipped += result.skipped

    def text(self) -> str:
        machine = [[name, str(value)] for name, value in self.machine.items()]
        parts = [f"## machine\n\n{markdown_table(['', ''], machine)}"]
        for suite in dict.fromkeys(case.suite for case in self.cases):
            cases = [case for case in self.cases if case.suite == suite]
            parts.append(f"## {suite}\n\n{suite_table(cases)}")
            notes = [f"- {case.notes}" for case in cases if case.notes]
            if notes:
                parts.append("\n".join(notes))
        if self.checks:
            parts.append(f"## targets\n\n{checks_table(self.checks)}")
        parts += [f"skipped: {reason}" for reason in self.skipped]
        return "\n\n".join(parts) + "\n"

    def write_json(self, path: Path) -> None:
        data = {
            "machine": self.machine,
            "settings": self.settings,
            "cases": [case.as_json() for case in self.cases],
            "checks": [{**asdict(check), "met": check.met} for check in self.checks],
            "skipped": self.skipped,
        }
        path.write_text(json.dumps(data, indent=2, default=str) + "\n")

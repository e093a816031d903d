"""The portfolio summary: its figures against a hand computation from the JSON report, its
order, and the way each format shows it (terminal first, `--summary` alone, Markdown and
HTML at the top)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import AS_OF, ROOT, WORKLOADS
from tests.test_cli import run


@pytest.fixture(scope="module")
def bundled() -> tuple[list[dict[str, Any]], Any]:
    """Every bundled example on every target: the JSON results, and the portfolio of the
    same run."""
    import datetime as dt

    from serverless_fit.pipeline.assess import Options, assess_files
    from serverless_fit.portfolio import portfolio
    from serverless_fit.rules.rulepacks import builtin_rules

    code, out, _ = run("assess", str(WORKLOADS), "--target", "all", "--format", "json")
    assert code == 0
    options = Options(targets=("all",), as_of=dt.date.fromisoformat(AS_OF))
    report = assess_files(sorted(WORKLOADS.glob("*.yaml")), builtin_rules(), options)
    return json.loads(out)["results"], portfolio(report.results)


def _best(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["file"]: r for r in results if r["best_fit"]}


def test_spend_is_the_sum_of_the_best_targets_bills(
    bundled: tuple[list[dict[str, Any]], Any],
) -> None:
    """By hand from the JSON report: each workload at its best target, priced both ways."""
    results, summary = bundled
    best = _best(results)
    both = [
        r for r in best.values() if r["cost"] and r["cost"]["serverless"] and r["cost"]["always_on"]
    ]
    serverless = sum(r["cost"]["serverless"]["monthly_usd"] for r in both)
    always_on = sum(r["cost"]["always_on"]["monthly_usd"] for r in both)

    def cheaper(r: dict[str, Any]) -> float:
        fleet = r["cost"]["always_on"]["monthly_usd"]
        blocked = any(f["severity"] == "blocker" and not f["waived"] for f in r["findings"])
        return fleet if blocked else min(fleet, r["cost"]["serverless"]["monthly_usd"])

    spend = summary.spend
    assert summary.workloads == len(best) == 13 and summary.results == len(results)
    assert spend.workloads == len(both) and spend.not_priced == len(best) - len(both)
    assert spend.serverless_usd == pytest.approx(serverless, abs=1e-6)
    assert spend.always_on_usd == pytest.approx(always_on, abs=1e-6)
    assert spend.cheaper_usd == pytest.approx(sum(cheaper(r) for r in both), abs=1e-6)
    counts = {v: sum(1 for r in best.values() if r["verdict"] == v) for v in summary.by_verdict}
    assert summary.by_verdict == counts


def test_the_readme_example_totals(tmp_path: Path) -> None:
    """The figures the README works through, from the same command."""
    code, out, _ = run("assess", str(WORKLOADS), "--summary", "--width", "100", "--as-of", AS_OF)
    assert code == 0
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for figure in ("≥ $28,872.71", "$2,121.71", "$2,061.43"):
        assert figure in out and figure in readme


def test_savings_are_the_largest_differences_and_never_a_target_that_cannot_run_it(
    bundled: tuple[list[dict[str, Any]], Any],
) -> None:
    _, summary = bundled
    differences = [abs(row.saving) for row in summary.savings]
    assert differences == sorted(differences, reverse=True) and len(differences) == 5
    for row in summary.savings:
        assert row.saving < 0 or row.blockers == 0  # serverless saves only where it runs
    # clickstream-enricher: a steady stream, far cheaper always-on
    top = summary.savings[0]
    assert top.workload == "clickstream-enricher" and top.saving < -27_000


def test_risks_put_poor_fits_and_blockers_first(
    bundled: tuple[list[dict[str, Any]], Any],
) -> None:
    _, summary = bundled
    keys = [
        (row.verdict != "poor-fit", -row.blockers, -row.risks, row.score) for row in summary.risks
    ]
    assert keys == sorted(keys) and all(row.reason for row in summary.risks)
    assert all(item.workloads > 1 for item in summary.frequent)
    cost002 = next(item for item in summary.frequent if item.rule == "COST002")
    assert cost002.workloads == sum(1 for row in summary.rows if "COST002" in row.issues)


def test_the_terminal_shows_the_summary_first_then_the_details() -> None:
    code, out, _ = run(
        "assess", str(WORKLOADS), "--format", "terminal", "--width", "100", "--as-of", AS_OF
    )
    assert code == 0
    assert out.startswith("Portfolio: 13 workloads")
    summary, details = out.split(" Details ", 1)
    assert "Biggest savings" in summary and "Biggest risks" in summary
    assert "Monthly spend of the 11 workloads priced both ways (of 13)" in summary
    assert "checkout-api on AWS Lambda" in details


def test_summary_alone_in_each_format_that_has_one(tmp_path: Path) -> None:
    code, out, _ = run(
        "assess", str(WORKLOADS), "--summary", "--format", "terminal", "--width", "80"
    )
    assert code == 0 and "Details" not in out and "Dimensions" not in out
    assert max(len(line) for line in out.splitlines()) <= 80  # nothing wider than asked
    code, text, _ = run("assess", str(WORKLOADS), "--summary", "--format", "text", "--width", "80")
    assert code == 0 and text == out  # plain text gets the same table, no colour
    code, markdown, _ = run("assess", str(WORKLOADS), "--summary", "--format", "markdown")
    assert code == 0 and "### " not in markdown and "**Biggest risks**" in markdown
    page = tmp_path / "summary.html"
    code, _, _ = run("assess", str(WORKLOADS), "--summary", "-o", str(page))
    html = page.read_text(encoding="utf-8")
    assert code == 0 and 'id="overview"' in html and '<section class="workload"' not in html
    code, _, err = run("assess", str(WORKLOADS), "--summary", "--format", "json")
    assert code == 2
    assert err.strip() == (
        "--summary: error: found --format json; allowed with it: terminal, text, markdown, html"
    )


def test_one_workload_has_no_portfolio_in_the_terminal() -> None:
    code, out, _ = run(
        "assess", str(WORKLOADS / "checkout-api.yaml"), "--format", "terminal", "--as-of", AS_OF
    )
    assert code == 0 and "Portfolio" not in out


def test_markdown_puts_the_summary_first_and_every_target_after(tmp_path: Path) -> None:
    code, out, _ = run(
        "assess", str(WORKLOADS), "--target", "all", "--format", "markdown", "--as-of", AS_OF
    )
    assert code == 0
    summary, rest = out.split("### Every target", 1)
    assert "| workload | best target |" in summary and "**Monthly spend**" in summary
    rows = [line for line in summary.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 1 + 13  # the heading and a row per workload
    assert "| document-ocr-batch | aws-fargate (best) |" in rest


def test_the_html_contents_link_every_workload(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    code, _, _ = run("assess", str(WORKLOADS), "-o", str(page), "--as-of", AS_OF)
    assert code == 0
    html = page.read_text(encoding="utf-8")
    nav = html.split('<nav class="contents"', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'href="#([^"]+)"', nav)
    sections = re.findall(r'<section class="workload" id="([^"]+)"', html)
    assert links == ["overview-heading", *sections] and len(sections) == 13


def test_a_workload_named_like_a_page_section_gets_its_own_anchor(tmp_path: Path) -> None:
    from tests.test_batch import workload, write

    for name in ("overview", "contents", "errors"):
        write(tmp_path / f"{name}.yaml", workload(name))
    page = tmp_path / "report.html"
    code, _, _ = run("assess", str(tmp_path), "-o", str(page), "--as-of", AS_OF)
    assert code == 0
    ids = re.findall(r' id="([^"]+)"', page.read_text(encoding="utf-8"))
    assert len(ids) == len(set(ids))  # no anchor twice


def test_readme_defines_the_portfolio_figures() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Portfolio summary", 1)[1].split("\n## ", 1)[0]
    for words in ("best target", "priced both ways", "cheaper option", "Biggest savings"):
        assert words in section

"""The HTML report: structure, self-containment, escaping, charts; and, in headless Chromium,
no console errors, no network requests, the chart's series and markers, and working sorting."""

from __future__ import annotations

import json
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import AS_OF, ROOT, WORKLOADS
from tests.test_batch import workload, write
from tests.test_cli import run

ARTIFACTS = Path(os.environ.get("SERVERLESS_FIT_ARTIFACTS", ROOT / ".artifacts"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Page(HTMLParser):
    """The elements of a page with their attributes, and its text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.elements if name == tag]


@pytest.fixture
def report(tmp_path: Path) -> tuple[Path, str]:
    folder = tmp_path / "services"
    for name in ("document-ocr-batch", "checkout-api", "quote-pricer"):
        (folder / f"{name}.yaml").parent.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.yaml").write_bytes((WORKLOADS / f"{name}.yaml").read_bytes())
    write(
        folder / "hostile.yaml",
        workload("hostile", description="<script>alert(1)</script> & <b>bold</b>"),
    )
    (folder / "broken.yaml").write_text("name: <script>alert(2)</script>\narchetype: api\n")
    output = tmp_path / "report.html"
    code, _, _ = run("assess", str(folder), "--target", "all", "-o", str(output), "--as-of", AS_OF)
    assert code == 2  # the broken file
    return output, output.read_text(encoding="utf-8")


def test_the_report_is_one_self_contained_file(report: tuple[Path, str]) -> None:
    _, text = report
    page = Page(text)
    assert text.startswith("<!doctype html>")
    assert not page.all("link") and not page.all("img") and not page.all("iframe")
    assert all("src" not in script for script in page.all("script"))
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert "@import" not in text and "url(" not in text


def test_user_text_is_escaped(report: tuple[Path, str]) -> None:
    _, text = report
    assert "<script>alert" not in text and "<b>bold</b>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in text
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in text  # in the error table
    assert len(Page(text).all("script")) == 1  # only the sorting script


def test_each_workload_has_verdict_findings_evidence_and_charts(report: tuple[Path, str]) -> None:
    _, text = report
    page = Page(text)
    sections = [a["id"] for a in page.all("section") if a.get("class") == "workload"]
    assert sections == ["checkout-api", "document-ocr-batch", "hostile", "quote-pricer"]
    assert "LAT002" in text and "quote-pricer.yaml:" in text  # evidence with file and line
    assert "What would change the answer" in text  # counterfactuals
    charts = [a for a in page.all("svg") if a.get("class") == "chart"]
    assert len(charts) == 4 and all(a.get("role") == "img" for a in charts)
    assert all(a.get("aria-labelledby") for a in charts)
    headers = page.all("th")
    assert any(h.get("scope") == "col" for h in headers) and any(
        h.get("scope") == "row" for h in headers
    )
    assert "Good fit" in text and "Poor fit" in text  # verdicts in words, not colour alone


def test_the_cost_chart_has_every_target_the_baseline_and_break_evens(
    report: tuple[Path, str],
) -> None:
    _, text = report
    chart = text.split('id="hostile-cost"')[1].split("</figure>")[0]
    series = re.findall(r'<g class="series series-([a-z-]+)[^"]*" data-series="([^"]+)"', chart)
    # the targets that can run it, then apart the one that cannot (a blocker on Workers)
    targets = [
        "aws-fargate",
        "aws-lambda",
        "aws-step-functions",
        "azure-container-apps",
        "azure-functions",
        "gcp-cloud-run-functions",
        "gcp-cloud-run",
        "cloudflare-workers",
    ]
    assert [label for kind, label in series if kind == "serverless"] == targets
    assert re.findall(r'series-cannot-run" data-series="([^"]+)"', chart) == targets[-1:]
    # Each provider's own always-on option, once: Cloudflare shares AWS's; the sizing is in
    # the line's title.
    fleets = [label for kind, label in series if kind == "always-on"]
    assert fleets == ["always-on (aws-fargate)", "always-on (azure-vm)", "always-on (gcp-compute)"]
    assert chart.count("<title>always-on: ") == 3
    # Every target with a full bill crosses its provider's fleet; Container Apps has no
    # confirmed compute price, so no crossing.
    assert len(re.findall(r'class="marker marker-break-even"', chart)) == 7
    assert "this workload: 5/s" in chart
    # Azure's bill leaves out a request price it does not confirm: its break-even is a ceiling.
    assert "azure-functions break-even: ≤ " in chart
    assert "aws-lambda break-even: ≤" not in chart


def test_a_job_billed_per_run_on_both_sides_has_no_break_even(report: tuple[Path, str]) -> None:
    _, text = report
    chart = text.split('id="document-ocr-batch-cost"')[1].split("</figure>")[0]
    assert "task per run" in chart
    assert "marker-break-even" not in chart and "none within the range" in chart


def test_the_json_report_holds_the_chart_data_only_when_asked(tmp_path: Path) -> None:
    path = str(WORKLOADS / "checkout-api.yaml")
    cost = json.loads(run("assess", path, "--format", "json")[1])["results"][0]["cost"]
    assert "curve" not in cost


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs it)")
def test_in_headless_chromium(report: tuple[Path, str]) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    path, _ = report
    console: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
        page.on("request", lambda request: requests.append(request.url))
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        assert not [m for m in console if m.startswith(("error", "pageerror", "warning"))]
        assert requests == [path.as_uri()]  # the page itself, nothing else
        chart = page.locator("#document-ocr-batch-cost + figure svg")
        # one serverless line per target, one always-on line per provider (AWS, Azure, Google)
        assert chart.locator("g.series-serverless").count() == 8
        always_on = chart.locator("g.series-always-on")
        labels = [always_on.nth(i).get_attribute("data-series") for i in range(always_on.count())]
        assert len(labels) == 3 and all(str(label).startswith("always-on (") for label in labels)
        # three targets stop a 40-minute run: drawn apart, faint, under their own heading
        apart = chart.locator("g.series-cannot-run")
        assert apart.count() == 3 and apart.first.get_attribute("opacity") == "0.45"
        assert chart.locator("text.legend-apart").text_content() == "cannot run it:"
        # a task per run and the functions both cost in proportion to the runs: no crossing
        assert chart.locator("g.marker-break-even circle").count() == 0
        pricer = page.locator("#quote-pricer-cost + figure svg")
        assert pricer.locator("g.marker-break-even circle").count() == 3  # the AWS targets
        assert chart.locator("g.marker-traffic line").count() == 1
        # the latency distribution and the instances over the day, for the best target
        latency = page.locator("#checkout-api-latency + figure svg")
        assert latency.locator("path.latency-cdf").count() == 1
        p99 = float(str(latency.locator("g.marker-p99 line").get_attribute("x1")))
        objective = float(str(latency.locator("g.marker-objective line").get_attribute("x1")))
        assert p99 < objective  # checkout-api's simulated 120 ms p99 meets its 300 ms objective
        bars = page.locator("#checkout-api-latency ~ figure svg.chart-instances rect.instance-bar")
        assert bars.count() == 24
        heights = [float(str(bars.nth(i).get_attribute("height"))) for i in range(24)]
        assert heights[0] == 0 and heights[10] > 0  # quiet at night, busy in the active hours
        names = _column(page, 0)
        assert names == ["checkout-api", "document-ocr-batch", "hostile", "quote-pricer"]
        page.locator("#overview thead th").nth(3).locator("button").click()  # score, ascending
        scores = [float(s) for s in _column(page, 3)]
        assert scores == sorted(scores)
        assert page.locator("#overview thead th").nth(3).get_attribute("aria-sort") == "ascending"
        page.locator("#overview thead th").nth(3).locator("button").click()
        assert [float(s) for s in _column(page, 3)] == sorted(scores, reverse=True)
        name_header = page.locator("#overview thead th").nth(0).locator("button")
        name_header.click()
        assert _column(page, 0) == sorted(names)
        name_header.click()
        assert _column(page, 0) == sorted(names, reverse=True)
        assert page.evaluate("document.title").startswith("serverless-fit report")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        # A phone: every wide table becomes cards, nothing scrolls sideways.
        page.set_viewport_size({"width": 390, "height": 844})
        wider = page.evaluate(
            """() => Array.from(document.querySelectorAll("body *"))
                .filter(e => e.scrollWidth > e.clientWidth + 1 && e.tagName !== "THEAD")
                .map(e => e.tagName + "." + e.className + "#" + e.id)"""
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, wider
        findings = page.locator("#quote-pricer-findings + table")
        assert findings.evaluate("t => t.getBoundingClientRect().right") <= 390
        cell = findings.locator("td[data-label='Mitigation']").first
        assert cell.evaluate("c => getComputedStyle(c, '::before').content") == '"Mitigation: "'
        page.screenshot(path=str(ARTIFACTS / "report-phone.png"), full_page=True)
        page.set_viewport_size({"width": 1200, "height": 900})
        page.locator("#document-ocr-batch-cost + figure").screenshot(
            path=str(ARTIFACTS / "cost-chart.png")
        )
        page.locator("#checkout-api-latency + figure").screenshot(
            path=str(ARTIFACTS / "latency-chart.png")
        )
        browser.close()
    assert (ARTIFACTS / "report.png").stat().st_size > 10_000


def _column(page: Any, index: int) -> list[str]:
    cells = page.locator(f"#overview tbody tr td:nth-child({index + 1})")
    return [text.strip() for text in cells.all_inner_texts()]


def test_extreme_but_valid_numbers_still_make_a_page(tmp_path: Path) -> None:
    from tests.test_cli import run

    extreme = tmp_path / "extreme.yaml"
    extreme.write_text(
        "name: tiny\narchetype: api\nruntime: python\nduration: {typical: 100ms}\n"
        "traffic: {average: 0.001/month}\n"
        "resources: {memory: 512MiB, payload: 999999999999999TiB}\n",
        encoding="utf-8",
    )
    page = tmp_path / "extreme.html"
    code, _, err = run("assess", str(extreme), "-o", str(page))
    assert code == 0, err
    assert "tiny" in page.read_text(encoding="utf-8")


def test_the_verdict_counts_count_the_rows_of_the_table_below(
    report: tuple[Path, str],
) -> None:
    """With several targets a workload has several results; the counts above the overview
    count workloads at their best target, as the table does, and say so."""
    _, text = report
    overview = text.split('<table class="sortable stack" id="overview">', 1)[1]
    overview = overview.split("</table>", 1)[0]
    rows = overview.split("<tbody>", 1)[1].count("<tr>")
    counts = text.split('<ul class="counts"', 1)[1].split("</ul>", 1)[0]
    numbers = [
        int(item.rsplit("</span>", 1)[1].split("<", 1)[0]) for item in counts.split("<li>")[1:]
    ]
    assert sum(numbers) == rows == 4
    assert "Workloads by verdict, each at its best target" in text
    assert "(workload and target pairs)" in text


def test_dimension_bars_start_at_50_and_show_which_way_they_moved() -> None:
    from serverless_fit.render.html import _dimensions
    from serverless_fit.report import DimensionScore

    class Scored:
        dimensions = (
            DimensionScore("cost", 60, 1),
            DimensionScore("state", 50, 1),
            DimensionScore("portability", 40, 0.8),
        )

    up, still, down = _dimensions(Scored())  # type: ignore[arg-type]
    assert (up["kind"], up["left"], up["width"]) == ("bar-up", 50, 10)  # % of the track
    assert still["width"] == 0 and still["words"] == "50, no finding moved it"
    assert (down["kind"], down["left"], down["width"]) == ("bar-down", 40, 10)
    assert down["words"] == "-10 from 50"


def test_axis_ticks_are_powers_of_ten_in_one_unit_and_one_money_style() -> None:
    from serverless_fit.render.html import _log_ticks, _money_tick, _rate_unit

    labels = [t.label for t in _log_ticks(0.004, 70_000, lambda v: v, _money_tick)]
    assert labels == ["$0.01", "$0.1", "$1", "$10", "$100", "$1k", "$10k"]
    # a narrow range: 1, 2 and 5 times each power of ten, never fewer than three ticks
    values = [t.position for t in _log_ticks(1.3, 40, lambda v: v, str)]
    assert values == [2, 5, 10, 20]
    # a wide range: the same step between every pair of ticks
    wide = [t.label for t in _log_ticks(1e-6, 1e9, lambda v: v, lambda v: f"{v:g}")]
    assert wide == [f"{10.0**e:g}" for e in range(-6, 10, 2)]
    # the traffic axis in the shortest unit whose lowest rate is at least 0.1
    assert _rate_unit(1.5) == ("s", 1.0)
    assert _rate_unit(0.01) == ("min", 60.0)
    assert _rate_unit(1e-7)[0] == "month"

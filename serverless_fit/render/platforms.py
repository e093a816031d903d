"""The `platforms` command's output: the profiles' key figures, or one profile in full."""

from __future__ import annotations

import io
import json

from rich.table import Table
from rich.text import Text

from serverless_fit.data import catalog
from serverless_fit.data.catalog import (
    Baseline,
    Platform,
    Pricing,
    ScaleOut,
    Sourced,
    TieredTransfer,
    as_data,
    dates,
)
from serverless_fit.render.console import string_console, titled_table
from serverless_fit.render.markdown import escape
from serverless_fit.report import RenderOptions


def _usd(amount: float) -> str:
    """A unit price as the provider writes it: every significant digit, at least cents."""
    whole, _, fraction = f"{amount:,.10f}".partition(".")
    fraction = fraction.rstrip("0").ljust(2, "0")
    return f"${whole}.{fraction}"


def price_summary(pricing: Pricing) -> str:
    """One line saying what a run costs: the plan fee, requests and each compute meter."""
    parts: list[str] = []
    if pricing.plan_fee is not None:
        parts.append(f"{_usd(pricing.plan_fee.usd_per_month)}/month plan")
    requests = pricing.requests
    if requests.usd_per_million is None:
        parts.append("requests: price unconfirmed")
    else:
        over = f" over {requests.included / 1e6:g}M" if requests.included else ""
        parts.append(f"{_usd(requests.usd_per_million)}/M requests{over}")
    compute = pricing.compute
    if compute.gb_s is not None:
        for architecture, tiers in compute.gb_s.tiers.items():
            parts.append(f"{_usd(tiers[0].price)}/GB-s ({architecture})")
    if compute.vcpu_s is not None:
        parts.append(f"{_usd(compute.vcpu_s.usd_per_vcpu_s)}/vCPU-s")
    if compute.cpu_ms is not None:
        included_ms = compute.cpu_ms.included_ms
        over = f" over {included_ms / 1e6:g}M" if included_ms else ""
        parts.append(f"{_usd(compute.cpu_ms.usd_per_million_ms)}/M CPU-ms{over}")
    text = " + ".join(parts)
    lifetime = pricing.instance_billing
    if lifetime is not None:
        text += (
            f"; or instance-based {_usd(lifetime.usd_per_vcpu_s)}/vCPU-s + "
            f"{_usd(lifetime.usd_per_gib_s)}/GiB-s"
        )
    return text


def deployment_summary(platform: Platform) -> str:
    """The `deployment:` options a target offers, as the workload file writes them."""
    offered = platform.deployment
    names = [
        name
        for name in type(offered).model_fields
        if name not in ("front_doors", "billing") and getattr(offered, name) is not None
    ]
    if len(offered.front_doors) > 1:
        names.append("front_door: " + " | ".join(offered.front_doors))
    if offered.billing is not None:
        names.append("billing: request | instance")
    return ", ".join(names) if names else "none"


def _timeout(platform: Platform) -> str:
    limits = platform.limits
    text = str(limits.timeout.value)
    if limits.timeout_http is not None:
        text += f" (HTTP {limits.timeout_http.value})"
    return text


def _cold_range(platform: Platform) -> str:
    figures = platform.cold_start.runtimes.values()
    low = min(f.p99 for f in figures)
    high = max(f.p99 for f in figures)
    return f"{low} (every runtime)" if low == high else f"{low} to {high} by runtime"


def _memory(platform: Platform) -> str:
    low, high = platform.limits.memory_min.value, platform.limits.memory_max.value
    return str(high) if low == high else f"{low} to {high}"


def _dated(model: Platform | Baseline) -> str:
    found = dates(model)
    return f"{min(found).isoformat()} to {max(found).isoformat()}"


def render_list(
    platforms: list[Platform], baselines: list[Baseline], options: RenderOptions, fmt: str
) -> str:
    if fmt == "json":
        data = {
            "platforms": [as_data(p) for p in platforms],
            "baselines": [as_data(b) for b in baselines],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    buffer = io.StringIO()
    console = string_console(buffer, options)
    table = titled_table(
        "Serverless targets (--target NAME, or --target all)",
        show_header=False,
        expand=True,
    )
    table.add_column("target", no_wrap=True)
    table.add_column("", no_wrap=True, style="dim")
    table.add_column("", ratio=1)
    for platform in platforms:
        door = platform.front_door
        rows = [
            ("", f"{platform.name} ({platform.region}; {platform.kind})"),
            ("timeout", _timeout(platform)),
            ("memory", _memory(platform)),
            ("front door", f"{door.name}: {door.timeout.value}"),
            ("cold p99", _cold_range(platform)),
            ("price", price_summary(platform.pricing)),
            ("deployment", deployment_summary(platform)),
            ("as of", _dated(platform)),
        ]
        for line, (label, value) in enumerate(rows):
            name = Text(platform.id, style="bold") if line == 0 else ""
            table.add_row(name, label, value, end_section=line == len(rows) - 1)
    console.print(table)
    console.print()
    fleets = titled_table(
        "Always-on baselines (each target is compared with its provider's cheapest fit)",
        expand=True,
    )
    fleets.add_column("baseline", no_wrap=True, style="bold")
    fleets.add_column("shapes (USD per hour)", ratio=1)
    fleets.add_column("at least", justify="right", no_wrap=True)
    fleets.add_column("as of", no_wrap=True)
    for baseline in baselines:
        shapes = [
            f"{i.name}: {i.vcpus:g} vCPU, {i.memory}, {i.architecture}, {_usd(i.usd_per_hour)}"
            for i in baseline.instances
        ]
        if baseline.rates is not None:
            for arch in ("x86_64", "arm64"):
                rate = getattr(baseline.rates, arch)
                shapes.append(
                    f"{arch}: {_usd(rate.usd_per_vcpu_hour)} per vCPU + "
                    f"{_usd(rate.usd_per_gb_hour)} per GB"
                )
        if baseline.task_sizes is not None:
            sizes = ", ".join(
                f"{t.vcpus:g} vCPU/{t.memory_min}-{t.memory_max}" for t in baseline.task_sizes.sizes
            )
            shapes.append(f"task sizes: {sizes}")
        fleets.add_row(
            baseline.id,
            "\n".join(shapes),
            f"billed {baseline.billing.minimum_seconds:g} s at least",
            _dated(baseline),
        )
    console.print(fleets)
    console.print(
        Text("serverless-fit platforms NAME shows every figure with its source.", style="dim")
    )
    return buffer.getvalue()


def _figures(platform: Platform) -> list[tuple[str, str, Sourced | None, str | None]]:
    """(section, figure, its source record, the value as text) for every sourced figure."""
    rows: list[tuple[str, str, Sourced | None, str | None]] = []
    limits = platform.limits
    for name in type(limits).model_fields:
        item = getattr(limits, name)
        if item is None:
            rows.append(("limits", name, None, None))
            continue
        value = item.value
        text = ", ".join(value) if isinstance(value, list) else _plain(value)
        if isinstance(item, ScaleOut):
            text = f"{value} new instances every {item.per}"
            if item.requests_per_second is not None:
                text += f" (or {item.requests_per_second:,.0f} more requests a second)"
        rows.append(("limits", name, item, text))
    door = platform.front_door
    rows.append(("front door", "timeout", door.timeout, str(door.timeout.value)))
    if door.metering_unit is not None:
        rows.append(
            ("front door", "metering unit", door.metering_unit, str(door.metering_unit.value))
        )
    if door.usd_per_million_requests is not None:
        prices = door.usd_per_million_requests
        tiers = "; ".join(
            f"{_usd(t.price)}/M" + (f" up to {t.up_to / 1e6:g}M" if t.up_to else "")
            for t in prices.tiers
        )
        rows.append(("front door", "requests", prices, tiers))
    pricing = platform.pricing
    if pricing.plan_fee is not None:
        rows.append(
            ("prices", "plan", pricing.plan_fee, f"{_usd(pricing.plan_fee.usd_per_month)}/month")
        )
    requests = pricing.requests
    request_text = (
        "unconfirmed"
        if requests.usd_per_million is None
        else f"{_usd(requests.usd_per_million)}/M"
        + (f", {requests.included / 1e6:g}M included" if requests.included else "")
    )
    rows.append(("prices", "requests", requests, request_text))
    compute = pricing.compute
    rounding = f"duration in {compute.duration_step} steps"
    if compute.minimum_duration is not None:
        rounding += f", at least {compute.minimum_duration}"
    if compute.memory_step is not None:
        rounding += f"; memory in {compute.memory_step} steps"
    if compute.memory_sizes:
        rounding += "; memory sizes " + ", ".join(str(s) for s in compute.memory_sizes)
    rows.append(("prices", "metering", compute, rounding))
    if compute.gb_s is not None:
        for architecture, memory_tiers in compute.gb_s.tiers.items():
            text = "; ".join(
                f"{_usd(t.price)}/GB-s" + (f" up to {t.up_to / 1e9:g}B" if t.up_to else "")
                for t in memory_tiers
            )
            rows.append(("prices", f"memory-time {architecture}", compute.gb_s, text))
    if compute.vcpu_s is not None:
        vcpus = ", ".join(f"{t.memory}: {t.vcpus:g}" for t in compute.vcpu_s.vcpus_by_memory)
        text = f"{_usd(compute.vcpu_s.usd_per_vcpu_s)}/vCPU-s; vCPUs by memory {vcpus}"
        rows.append(("prices", "cpu-time", compute.vcpu_s, text))
    if compute.cpu_ms is not None:
        text = f"{_usd(compute.cpu_ms.usd_per_million_ms)}/M CPU-ms"
        if compute.cpu_ms.included_ms:
            text += f", {compute.cpu_ms.included_ms / 1e6:g}M included"
        rows.append(("prices", "cpu-time", compute.cpu_ms, text))
    if pricing.ephemeral_storage is not None:
        storage = pricing.ephemeral_storage
        text = f"{_usd(storage.usd_per_gb_s)}/GB-s above {storage.included}"
        rows.append(("prices", "ephemeral storage", storage, text))
    lifetime = pricing.instance_billing
    if lifetime is not None:
        text = (
            f"{_usd(lifetime.usd_per_vcpu_s)}/vCPU-s + {_usd(lifetime.usd_per_gib_s)}/GiB-s for "
            f"each instance's whole life, no request fee; {lifetime.free_vcpu_s:,.0f} vCPU-s and "
            f"{lifetime.free_gib_s:,.0f} GiB-s a month free (--free-tier)"
        )
        rows.append(("prices", "instance-based billing", lifetime, text))
        if lifetime.gpu is not None:
            gpu = lifetime.gpu
            text = (
                f"{gpu.name}: {_usd(gpu.usd_per_gpu_s)}/GPU-s, with at least "
                f"{gpu.min_vcpus:g} vCPU and {gpu.min_memory}"
            )
            rows.append(("prices", "gpu", gpu, text))
    if pricing.free_tier is not None:
        free = pricing.free_tier
        parts = [f"{free.requests / 1e6:g}M requests"] if free.requests else []
        parts += [f"{free.gb_s:,.0f} GB-s"] if free.gb_s else []
        parts += [f"{free.vcpu_s:,.0f} vCPU-s"] if free.vcpu_s else []
        rows.append(("prices", "free tier (--free-tier)", free, ", ".join(parts) + " a month"))
    else:
        rows.append(("prices", "free tier (--free-tier)", None, None))
    hosting = pricing.static_hosting
    if hosting is not None:
        rows.append(
            (
                "static sites",
                "CDN requests",
                hosting.cdn_requests_per_10k,
                f"{_usd(hosting.cdn_requests_per_10k.usd)} per 10,000 ({hosting.name})",
            )
        )
        rows.append(
            (
                "static sites",
                "storage",
                hosting.storage_per_gb_month,
                f"{_usd(hosting.storage_per_gb_month.usd)}/GB-month",
            )
        )
        transfer = hosting.cdn_data_transfer
        if transfer is not None:
            text = _transfer_text(transfer)
            rows.append(("static sites", "CDN data transfer", transfer, text))
    if pricing.init_billed is not None:
        flag = pricing.init_billed
        text = "cold starts bill their start-up" if flag.value else "start-up not billed"
        rows.append(("prices", "init phase", flag, text))
    if pricing.websocket is not None:
        socket = pricing.websocket
        text = (
            f"{socket.name}: {_usd(socket.usd_per_million_messages)}/M messages of "
            f"{socket.message_unit}, {_usd(socket.usd_per_million_connection_minutes)}/M "
            "connection-minutes"
        )
        rows.append(("prices", "websocket", socket, text))
    batching = platform.batching
    if batching is not None:
        text = "; ".join(
            f"{kind} {item.default} a batch" + (f" (at most {item.max})" if item.max else "")
            for kind, item in (("queue", batching.queue), ("stream", batching.stream))
        )
        rows.append(("triggers", "batching", batching, text))
    network = catalog.providers()[platform.provider]
    rows.append(
        ("network", "data transfer", network.data_transfer, _transfer_text(network.data_transfer))
    )
    balancer = network.load_balancer
    if balancer is not None:
        text = f"{balancer.name}: {_usd(balancer.usd_per_hour)}/hour"
        if balancer.usd_per_gb_processed:
            text += f" + {_usd(balancer.usd_per_gb_processed)}/GB processed"
        if balancer.capacity_unit is not None:
            unit = balancer.capacity_unit
            text += (
                f" + {_usd(unit.usd_per_hour)} per capacity-unit-hour "
                f"({unit.new_connections_per_second:g} new connections/s or "
                f"{unit.gb_processed_per_hour:g} GB/hour each)"
            )
        rows.append(("always-on", "load balancer", balancer, text))
    cold = platform.cold_start
    idle = cold.idle_reclaim
    rows.append(("cold starts", "idle reclaim", idle, str(idle.value) if idle else None))
    allowance = cold.package_allowance
    rows.append(
        (
            "cold starts",
            "package allowance",
            allowance,
            f"{allowance.per_mib} per MiB of package" if allowance else None,
        )
    )
    mitigation = platform.mitigations.cold_start
    price = mitigation.usd_per_gb_s
    mitigation_text = mitigation.name + (
        "; " + ", ".join(f"{_usd(p)}/GB-s {a}" for a, p in price.items())
        if price
        else "; price unconfirmed"
    )
    if mitigation.duration_usd_per_gb_s:
        rates = ", ".join(
            f"{_usd(p)}/GB-s {a}" for a, p in mitigation.duration_usd_per_gb_s.items()
        )
        mitigation_text += f"; runs on them {rates}"
    rows.append(("cold starts", "mitigation", mitigation, mitigation_text))
    for extra in platform.mitigations.cold_start_by_runtime:
        charges = "; ".join(f"{_usd(p.usd)} {p.unit}" for p in extra.prices)
        text = f"{extra.name} for {', '.join(extra.runtimes)}: {charges or 'no extra charge'}"
        rows.append(("cold starts", "mitigation", extra, text))
    rows.extend(_deployment_figures(platform))
    return rows


def _deployment_figures(platform: Platform) -> list[tuple[str, str, Sourced | None, str | None]]:
    """The `deployment:` options the target offers, each with its source."""
    offered = platform.deployment
    rows: list[tuple[str, str, Sourced | None, str | None]] = []
    if offered.provisioned_concurrency is not None:
        text = "a count, or peak (priced as the cold-start mitigation)"
        rows.append(
            ("deployment", "provisioned_concurrency", offered.provisioned_concurrency, text)
        )
    if offered.snapstart is not None:
        snap = offered.snapstart
        text = f"{', '.join(snap.runtimes)}: start-up {snap.p50} at p50, {snap.p99} at p99"
        rows.append(("deployment", "snapstart", snap, text))
    if offered.reserved_concurrency is not None:
        text = "a count: set aside, and the ceiling"
        rows.append(("deployment", "reserved_concurrency", offered.reserved_concurrency, text))
    if offered.min_instances is not None:
        text = "a count, billed while idle"
        rows.append(("deployment", "min_instances", offered.min_instances, text))
    for name, door in offered.front_doors.items():
        rows.append(
            (
                "deployment",
                f"front_door: {name}",
                door.timeout,
                f"{door.name}: {door.timeout.value}",
            )
        )
    if offered.billing is not None:
        rows.append(("deployment", "billing", offered.billing, "request (the default) or instance"))
    return rows


def _transfer_text(transfer: TieredTransfer) -> str:
    tiers = "; ".join(
        f"{_usd(t.price)}/GB" + (f" up to {t.up_to:,.0f} GB" if t.up_to else "")
        for t in transfer.tiers
    )
    free = f", {transfer.free_gb:g} GB free (--free-tier)" if transfer.free_gb else ""
    return f"{transfer.name}: {tiers}{free}"


def _plain(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value)


def render_profile(platform: Platform, options: RenderOptions, fmt: str) -> str:
    if fmt == "json":
        data = {**as_data(platform), "network": as_data(catalog.providers()[platform.provider])}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    buffer = io.StringIO()
    console = string_console(buffer, options)
    console.print(
        Text.assemble(
            (platform.name, "bold"), f"  ({platform.id}, {platform.region}, {platform.kind})"
        )
    )
    console.print(platform.summary)
    console.print()
    table = Table(show_edge=False, pad_edge=False, expand=True)
    table.add_column("section", no_wrap=True, style="dim")
    table.add_column("figure", no_wrap=True)
    table.add_column("value", ratio=2)
    table.add_column("as of", no_wrap=True)
    table.add_column("source", ratio=2, overflow="fold")
    for section, figure, record, text in _figures(platform):
        if record is None or text is None:
            table.add_row(section, figure, Text("not published", style="dim"), "", "")
            continue
        value = text + (f"\n{record.note}" if record.note else "")
        table.add_row(section, figure, value, record.as_of.isoformat(), record.source)
    console.print(table)
    network = catalog.providers()[platform.provider]
    compared = ", ".join(network.always_on)
    note = f" ({network.always_on_note})" if network.always_on_note else ""
    console.print(f"Always-on comparison: {compared}{note}; `serverless-fit platforms` lists them.")
    console.print()
    cold = titled_table(
        f"Cold starts by runtime (source: {platform.cold_start.source})",
        expand=True,
    )
    cold.add_column("runtime", no_wrap=True)
    cold.add_column("mean", justify="right")
    cold.add_column("p50", justify="right")
    cold.add_column("p99", justify="right")
    cold.add_column("as of", no_wrap=True)
    cold.add_column("measured", ratio=1)
    for runtime, measured in platform.cold_start.runtimes.items():
        cold.add_row(
            runtime,
            str(measured.mean) if measured.mean else "-",
            str(measured.p50),
            str(measured.p99),
            measured.as_of.isoformat(),
            measured.note,
        )
    console.print(cold)
    console.print()
    mitigations = titled_table(
        "Alternatives on the same provider, named in findings",
        expand=True,
    )
    mitigations.add_column("for", no_wrap=True)
    mitigations.add_column("use", ratio=1)
    for name in (
        "long_runs",
        "large_payloads",
        "sessions",
        "connections",
        "local_disk",
        "static_site",
    ):
        mitigations.add_row(name.replace("_", " "), getattr(platform.mitigations, name))
    console.print(mitigations)
    return buffer.getvalue()


REGENERATE = "serverless-fit platforms --format markdown > docs/platforms.md"
_RECORD_KEYS = ("source", "as_of", "note")


def _cell(text: str) -> str:
    return escape(text).replace("&amp;", "&") if text else ""


def _records(
    value: object, path: str, source: str | None = None
) -> list[tuple[str, str, str, str, str]]:
    """(figure, value, as of, source, note) for every dated record under `value`: a record's
    fields are its value, but for those holding records of their own, which are listed apart
    under their own path. A dated record without a source of its own (a runtime's cold
    start) has the source of the record that holds it."""
    from pydantic import BaseModel

    if isinstance(value, dict):
        return [
            row for key, item in value.items() for row in _records(item, f"{path}.{key}", source)
        ]
    if isinstance(value, list):
        rows = []
        for index, item in enumerate(value):
            label = getattr(item, "name", None) or getattr(item, "id", None) or str(index)
            rows += _records(item, f"{path}[{label}]", source)
        return rows
    if not isinstance(value, BaseModel):
        return []
    found: list[tuple[str, str, str, str, str]] = []
    plain: dict[str, object] = {}
    own = getattr(value, "source", None)
    source = own if isinstance(own, str) else source
    for name in type(value).model_fields:
        item = getattr(value, name)
        if item is None or name in _RECORD_KEYS:
            continue
        inner = _records(item, f"{path}.{name}" if path else name, source)
        if inner:
            found += inner
        else:
            plain[name] = as_data(item)
    as_of = getattr(value, "as_of", None)
    if as_of is None or source is None:
        return found
    shown = "; ".join(
        _compact(item) if list(plain) == ["value"] else f"{key}: {_compact(item)}"
        for key, item in plain.items()
    )
    note = getattr(value, "note", None) or ""
    record = (path, shown, str(as_data(as_of)), source, note)
    return [record, *found]


def _compact(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _record_table(records: list[tuple[str, str, str, str, str]]) -> list[str]:
    lines = ["| figure | value | as of | source | note |", "| --- | --- | --- | --- | --- |"]
    for figure, value, as_of, source, note in records:
        lines.append(f"| `{figure}` | {_cell(value)} | {as_of} | <{source}> | {_cell(note)} |")
    return lines


def reference(platforms: list[Platform], baselines: list[Baseline]) -> str:
    """The platform data as a Markdown page (docs/platforms.md): every sourced, dated figure
    of every profile, always-on baseline and provider network, generated from the data."""
    lines = [
        "# serverless-fit platform data",
        "",
        f"Generated from the package's data files; do not edit. Regenerate with `{REGENERATE}`.",
        "Every figure the tool prints about a platform is one of these, with the page it was",
        "taken from and the day it was read or published. A figure a provider does not publish",
        "is absent, and the rules that would need it are reported as not assessed.",
        "",
    ]
    for platform in platforms:
        lines += [f"## {platform.name} (`{platform.id}`)", "", f"Kind: {platform.kind}.", ""]
        lines += [_cell(platform.summary), ""]
        lines += [f"Region priced: {platform.region}; provider: {platform.provider}.", ""]
        lines += [*_record_table(_records(platform, "")), ""]
    lines += ["## Always-on baselines", ""]
    for baseline in baselines:
        lines += [f"### {baseline.name} (`{baseline.id}`)", ""]
        lines += [*_record_table(_records(baseline, "")), ""]
    lines += ["## Provider networks (data transfer, load balancers)", ""]
    for name, network in catalog.providers().items():
        lines += [f"### {name}", "", *_record_table(_records(network, "")), ""]
    return "\n".join(lines).rstrip() + "\n"

"""Inline SVG charts for the Test Phase Completion Report: outcome bars, the heatmap (a block per device type),
the matrices of devices tested together and of traceability, the HAN latency histograms and the duty cycle over
the phase.

Drawn on the server as plain SVG strings so that the report reads the same in a browser with JavaScript
off and in the PDF. Every coloured mark also carries its number, and the fills differ in lightness (plus a
hatch for "not run"), so a greyscale print keeps them apart.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping

from markupsafe import Markup, escape

from harness.ledger import OUTCOMES

OUTCOME_LABELS = {"passed": "passed", "failed": "failed", "blocked": "blocked", "skipped": "skipped",
                  "not_run": "not run"}

# Ordered dark to light in greyscale: failed < passed < skipped < blocked < not run (hatched).
_OUTCOME_FILL = {"passed": "#3f9b50", "failed": "#a32020", "blocked": "#f2c14e", "skipped": "#8d9db5",
                 "not_run": "url(#{hatch})"}
_OUTCOME_INK = {"passed": "#000", "failed": "#fff", "blocked": "#000", "skipped": "#000", "not_run": "#000"}

# Heatmap bands: the exit criteria ask for 100 % per CH variant, so anything less is at least amber.
FULL_PASS, LOW_PASS = 1.0, 0.8
_BAND_FILL = {"full": "#3f9b50", "partial": "#f2c14e", "low": "#a32020", "unexecuted": "#d6d6d6"}
_BAND_INK = {"full": "#000", "partial": "#000", "low": "#fff", "unexecuted": "#000"}
_BAND_LEGEND = (("full", "100% passed"), ("partial", f"{LOW_PASS:.0%} to 99% passed"),
                ("low", f"below {LOW_PASS:.0%} passed"), ("unexecuted", "blocked only, none executed"))

_FONT = 'font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif"'
_HATCH = ('<defs><pattern id="{hatch}" width="6" height="6" patternUnits="userSpaceOnUse" '
          'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f4f4f4"/>'
          '<line x1="0" y1="0" x2="0" y2="6" stroke="#9a9a9a" stroke-width="1.5"/></pattern></defs>')


def _fit(text: str, width: float, size: float) -> str:
    """Shortens a label to the width it has (the full text stays in the <title>)."""
    room = int(width / (size * 0.6))
    return text if len(text) <= room else text[: max(room - 1, 1)] + "…"


def _svg(width: float, height: float, label: str, body: Iterable[str], css_class: str, defs: str = "") -> Markup:
    return Markup(f'<svg class="{css_class}" xmlns="http://www.w3.org/2000/svg" role="img" '
                  f'aria-label="{escape(label)}" viewBox="0 0 {width:.0f} {height:.0f}" '
                  f'width="{width:.0f}" height="{height:.0f}" {_FONT} font-size="11">'
                  f'{defs}{"".join(body)}</svg>')


def outcome_bars(rows: list[tuple[str, Mapping[str, int]]], label: str, key: str, width: float = 680,
                 label_width: float = 170) -> Markup:
    """One stacked horizontal bar per row (a CH variant, a family) of its planned tests by outcome.
    `key` names the chart's hatch pattern: ids must be unique in the page, and each SVG needs its own."""
    hatch = f"hatch-{key}"
    fills = {o: fill.format(hatch=hatch) for o, fill in _OUTCOME_FILL.items()}
    label_w, total_w, row_h, bar_h, top = label_width, 64.0, 18.0, 13.0, 24.0
    bar_w = width - label_w - total_w
    largest = max((sum(counts.get(o, 0) for o in OUTCOMES) for _, counts in rows), default=0) or 1
    body = [_legend([(o, OUTCOME_LABELS[o], fills[o]) for o in OUTCOMES], x=label_w, y=8)[0]]
    for i, (name, counts) in enumerate(rows):
        y = top + i * row_h
        planned = sum(counts.get(o, 0) for o in OUTCOMES)
        body.append(f'<text x="{label_w - 6}" y="{y + bar_h - 3}" text-anchor="end">'
                    f'<title>{escape(name)}</title>{escape(_fit(name, label_w - 8, 11))}</text>')
        x = label_w
        for outcome in OUTCOMES:
            n = counts.get(outcome, 0)
            if not n:
                continue
            w = bar_w * n / largest
            tip = f"{name}: {n} of {planned} {OUTCOME_LABELS[outcome]}"
            body.append(f'<g class="segment {outcome}"><title>{escape(tip)}</title>'
                        f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{fills[outcome]}" '
                        f'stroke="#fff" stroke-width="0.5"/>')
            if w >= len(str(n)) * 6.5 + 4:
                body.append(f'<text x="{x + w / 2:.1f}" y="{y + bar_h - 3}" text-anchor="middle" font-size="9.5" '
                            f'fill="{_OUTCOME_INK[outcome]}">{n}</text>')
            body.append("</g>")
            x += w
        body.append(f'<text x="{width - 4}" y="{y + bar_h - 3}" text-anchor="end" fill="#333">{planned}</text>')
    height = top + max(len(rows), 1) * row_h + 4
    return _svg(width, height, label, body, "chart outcome-bars", _HATCH.format(hatch=hatch))


def _legend(items: list[tuple[str, str, str]], x: float, y: float) -> tuple[str, float]:
    """A row of swatches with their meaning; returns it and the x where it ends."""
    parts = []
    for key, text, fill in items:
        parts.append(f'<rect class="key {key}" x="{x:.0f}" y="{y - 8:.0f}" width="10" height="10" fill="{fill}" '
                     f'stroke="#555" stroke-width="0.5"/><text x="{x + 14:.0f}" y="{y + 1:.0f}" font-size="10">'
                     f'{escape(text)}</text>')
        x += 20 + len(text) * 6.2
    return "".join(parts), x


def _pass_band(cell: Mapping) -> str:
    rate = cell.get("pass_rate")
    if rate is None:
        return "unexecuted"
    if rate >= FULL_PASS:
        return "full"
    return "partial" if rate >= LOW_PASS else "low"


def _band_of(passed: int, executed: int) -> str:
    return _pass_band({"pass_rate": passed / executed if executed else None})


def band_legend(untested: str = "not tested") -> Markup:
    """The pass-rate colours the heatmap and the matrices share, drawn once before them."""
    key, end = _legend([(band, text, _BAND_FILL[band]) for band, text in _BAND_LEGEND], x=4, y=14)
    dashed = (f'<rect class="key untested" x="{end:.0f}" y="6" width="10" height="10" fill="#fff" stroke="#999" '
              f'stroke-dasharray="2 1"/><text x="{end + 14:.0f}" y="15" font-size="10">{escape(untested)}</text>')
    return _svg(end + 20 + len(untested) * 6.2, 22, "Legend: pass rate colours", [key, dashed], "chart legend")


def _two_lines(text: str) -> tuple[str, str]:
    """"CHTS v1.1 Dual Band" as "CHTS v1.1" over "Dual Band": a column header in two short lines."""
    words = text.split()
    return (" ".join(words[:2]), " ".join(words[2:])) if len(words) > 2 else (text, "")


def heatmap(rows: list[str], columns: list[Mapping], cells: list[Mapping]) -> Markup:
    """One block per device type: its devices down, the CH variants across, each tested pair coloured by pass
    rate with "passed/executed" in it; a pair never tested is a dashed cell. Blocks are narrow enough that two
    sit side by side on an A4 page; the legend is drawn once, before them (band_legend)."""
    groups: dict[str, list[Mapping]] = {}
    for column in columns:
        groups.setdefault(column["device_type"], []).append(column)
    by_pair = {(c["ch_variant"], c["device"]): c for c in cells}
    return Markup("").join(_heatmap_block(device_type, members, rows, by_pair)
                           for device_type, members in groups.items())


def _heatmap_block(device_type: str, devices: list[Mapping], variants: list[str],
                   by_pair: Mapping[tuple[str, str], Mapping]) -> Markup:
    label_w, cell_w, cell_h, title_h, head_h = 150.0, 74.0, 30.0, 18.0, 28.0
    top = title_h + head_h
    width = label_w + cell_w * max(len(variants), 1) + 2
    body = [f'<text x="2" y="13" font-weight="bold" font-size="12">{escape(device_type)} '
            f'<tspan font-weight="normal" font-size="10" fill="#444">({len(devices)})</tspan></text>']
    for i, variant in enumerate(variants):
        first, second = _two_lines(variant)
        x = label_w + i * cell_w + cell_w / 2
        body.append(f'<text class="variant" x="{x:.1f}" y="{title_h + 11}" text-anchor="middle" font-size="10" '
                    f'font-weight="bold"><title>{escape(variant)}</title>{escape(first)}'
                    f'<tspan x="{x:.1f}" dy="11">{escape(second)}</tspan></text>')
    for r, column in enumerate(devices):
        y = top + r * cell_h
        name, maker = column["device"], column.get("manufacturer") or ""
        body.append(f'<g class="device"><title>{escape(name)} ({escape(maker)})</title>'
                    f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" font-size="10.5">'
                    f'{escape(_fit(name, label_w - 8, 10.5))}</text><text x="{label_w - 6}" y="{y + 24}" '
                    f'text-anchor="end" font-size="9" fill="#444">{escape(_fit(maker, label_w - 8, 9))}</text></g>')
        for i, variant in enumerate(variants):
            x = label_w + i * cell_w
            cell = by_pair.get((variant, name))
            if cell is None:
                body.append(f'<g class="untested"><title>{escape(variant)} × {escape(name)}: not tested</title>'
                            f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" fill="#fff" '
                            f'stroke="#bbb" stroke-dasharray="3 2"/><text x="{x + cell_w / 2}" '
                            f'y="{y + cell_h / 2 + 4}" text-anchor="middle" fill="#888">–</text></g>')
            else:
                body.append(_heat_cell(cell, column, x, y, cell_w, cell_h))
    height = top + cell_h * max(len(devices), 1) + 4
    return _svg(width, height, f"Pass rate per CH variant of each {device_type}", body,
                f"chart heatmap-block type-{escape(device_type)}")


def _heat_cell(cell: Mapping, column: Mapping, x: float, y: float, w: float, h: float) -> str:
    band = _pass_band(cell)
    executed, passed, failed, blocked = (cell.get(k, 0) for k in ("executed", "passed", "failed", "blocked"))
    rate = cell.get("pass_rate")
    tip = (f"{cell['ch_variant']} × {cell['device']} ({column.get('manufacturer') or ''}): {passed} of {executed} "
           f"executed passed, {failed} failed, {blocked} blocked")
    # Rounded down: 99.6 % must not read as 100 % in an amber cell.
    second = f"{math.floor(rate * 100)}%" if rate is not None else f"{blocked} blocked"
    ink = _BAND_INK[band]
    return (f'<g class="cell {band}"><title>{escape(tip)}</title>'
            f'<rect x="{x + 1}" y="{y + 1}" width="{w - 2}" height="{h - 2}" fill="{_BAND_FILL[band]}" '
            f'stroke="#fff"/>'
            f'<text x="{x + w / 2}" y="{y + 13}" text-anchor="middle" font-weight="bold" fill="{ink}">'
            f'{passed}/{executed}</text>'
            f'<text x="{x + w / 2}" y="{y + 25}" text-anchor="middle" font-size="9" fill="{ink}">{second}</text></g>')


def pair_matrix(variant: str, devices: list[Mapping], pairs: Mapping[tuple[str, str], tuple[int, int]]) -> Markup:
    """The devices tested together on one CH variant: a device down and one across, the cell the number of executed
    tests in whose latest execution both took part, coloured by how many of them passed (the diagonal: every
    executed test of the device). `pairs` maps (device, device) in either order to (passed, executed)."""
    label_w, cell, head_h, title_h = 112.0, 24.0, 100.0, 18.0
    n = max(len(devices), 1)
    top = title_h + head_h
    # As wide as its title needs too: a test set of three devices still names itself in full.
    width, height = max(label_w + cell * n + 4, len(variant) * 7.4 + 6), top + cell * n + 4
    body = [f'<text x="2" y="13" font-weight="bold" font-size="12">{escape(variant)}</text>']
    for i, d in enumerate(devices):
        cx = label_w + i * cell + cell / 2
        body.append(f'<g class="device" transform="translate({cx + 3:.1f},{top - 4}) rotate(-90)">'
                    f'<title>{escape(d["device"])} ({escape(d.get("manufacturer") or "")})</title>'
                    f'<text x="0" y="0" font-size="9.5">{escape(_fit(d["device"], head_h - 4, 9.5))}</text></g>')
        body.append(f'<text x="{label_w - 5}" y="{top + i * cell + cell / 2 + 3.5:.1f}" text-anchor="end" '
                    f'font-size="9.5"><title>{escape(d["device"])}</title>'
                    f'{escape(_fit(d["device"], label_w - 8, 9.5))}</text>')
    for r, row in enumerate(devices):
        for c, col in enumerate(devices):
            x, y = label_w + c * cell, top + r * cell
            passed, executed = pairs.get((row["device"], col["device"])) or pairs.get((col["device"], row["device"])) \
                or (0, 0)
            if not executed:
                body.append(f'<rect class="pair none" x="{x + 0.5}" y="{y + 0.5}" width="{cell - 1}" '
                            f'height="{cell - 1}" fill="#fff" stroke="#ddd" stroke-dasharray="2 1"/>')
                continue
            band = _band_of(passed, executed)
            what = "executed tests" if r == c else "executed tests together with"
            tip = (f"{row['device']}: {executed} {what} {col['device'] if r != c else ''}".rstrip()
                   + f", {passed} passed")
            weight = "bold" if r == c else "normal"          # the diagonal: the device's own total
            body.append(f'<g class="pair {band}"><title>{escape(tip)}</title><rect x="{x + 0.5}" y="{y + 0.5}" '
                        f'width="{cell - 1}" height="{cell - 1}" fill="{_BAND_FILL[band]}" stroke="#fff"/>'
                        f'<text x="{x + cell / 2}" y="{y + cell / 2 + 3}" text-anchor="middle" font-size="9" '
                        f'fill="{_BAND_INK[band]}" font-weight="{weight}">{executed}</text></g>')
    return _svg(width, height, f"Devices tested together on {variant}", body, "chart pair-matrix")


def trace_matrix(requirements: list[Mapping], families: list[tuple[str, str]],
                 cells: Mapping[tuple[str, str], tuple[int, int]]) -> Markup:
    """Requirement down, scenario family across: each cell the planned tests of the family's scenarios traced to
    the requirement, coloured by how many passed ("passed/planned"); the row label carries the requirement's own
    status. `cells` maps (requirement, family) to (passed, planned)."""
    label_w, cell_w, cell_h, head_h = 112.0, 31.0, 18.0, 118.0
    width = label_w + cell_w * max(len(families), 1) + 4
    body = []
    status_fill = {"met": "#3f9b50", "not_met": "#a32020", "not_evaluable": "#d6d6d6"}
    status_mark = {"met": "✓", "not_met": "✗", "not_evaluable": "?"}
    for i, (_, name) in enumerate(families):
        cx = label_w + i * cell_w + cell_w / 2
        body.append(f'<g class="family" transform="translate({cx + 3:.1f},{head_h - 4}) rotate(-90)">'
                    f'<title>{escape(name)}</title><text x="0" y="0" font-size="9.5">'
                    f'{escape(_fit(name, head_h - 6, 9.5))}</text></g>')
    for r, req in enumerate(requirements):
        y = head_h + r * cell_h
        status = req.get("status", "not_evaluable")
        body.append(f'<g class="requirement {escape(status)}"><title>{escape(req["id"])} '
                    f'{escape(status.replace("_", " "))}: {escape(req.get("text") or "")}</title>'
                    f'<text x="4" y="{y + 13}" font-weight="bold" font-size="10">{escape(req["id"])}</text>'
                    f'<rect x="{label_w - 40}" y="{y + 2.5}" width="34" height="{cell_h - 6}" rx="2" '
                    f'fill="{status_fill.get(status, "#d6d6d6")}"/><text x="{label_w - 23}" y="{y + 12.5}" '
                    f'text-anchor="middle" font-size="9" fill="{"#fff" if status != "not_evaluable" else "#000"}">'
                    f'{status_mark.get(status, "?")}</text></g>')
        for c, (family, name) in enumerate(families):
            x = label_w + c * cell_w
            passed, planned = cells.get((req["id"], family), (0, 0))
            if not planned:
                body.append(f'<rect class="trace none" x="{x + 0.5}" y="{y + 0.5}" width="{cell_w - 1}" '
                            f'height="{cell_h - 1}" fill="#fafafa" stroke="#e4e4e4"/>')
                continue
            band = _band_of(passed, planned)
            body.append(f'<g class="trace {band}"><title>{escape(req["id"])} × {escape(name)}: {passed} of {planned} '
                        f'planned tests passed</title><rect x="{x + 0.5}" y="{y + 0.5}" width="{cell_w - 1}" '
                        f'height="{cell_h - 1}" fill="{_BAND_FILL[band]}" stroke="#fff"/><text x="{x + cell_w / 2}" '
                        f'y="{y + 12}" text-anchor="middle" font-size="7.5" fill="{_BAND_INK[band]}">'
                        f'{passed}/{planned}</text></g>')
    height = head_h + cell_h * max(len(requirements), 1) + 4
    return _svg(width, height, "Traceability: requirements by scenario family", body, "chart trace-matrix")


def _ms(value: float) -> str:
    return f"{value / 1000:g} s" if value >= 1000 else f"{value:g} ms"


def _span(low: float, high: float) -> str:
    """A bin's range in one unit: "2–5 ms", "0.5–1 s", "1–2 s"."""
    if high < 1000:
        return f"{low:g}–{high:g} ms"
    return f"{low / 1000:g}–{high / 1000:g} s"


def latency_histogram(band: Mapping, width: float = 340) -> Markup:
    """One band's request/response latencies as bars per bin (a 1-2-5 series of milliseconds), each bar with its
    count; p50, p95 and the maximum in the heading."""
    bins = band["bins"]
    left, right, top, bottom = 34.0, 6.0, 48.0, 36.0
    plot_h = 100.0
    height = top + plot_h + bottom
    step = (width - left - right) / max(len(bins), 1)
    largest = max((b["count"] for b in bins), default=0) or 1
    figures = (f"{band['exchanges']} exchanges, p50 {_ms(band['p50_ms'])}, p95 {_ms(band['p95_ms'])}, "
               f"max {_ms(band['max_ms'])}" if band["exchanges"] else "no request/response exchange captured")
    body = [f'<text x="2" y="13" font-weight="bold" font-size="12">{escape(band["band"])}</text>',
            f'<text x="2" y="27" font-size="9.5" fill="#333">{escape(figures)}</text>',
            f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#555"/>',
            f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" font-size="8.5" fill="#444">{largest}</text>',
            f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" font-size="8.5" fill="#444">0</text>']
    for i, b in enumerate(bins):
        x = left + i * step
        label = f"≥{_ms(b['from_ms'])}" if b["to_ms"] is None else _span(b["from_ms"], b["to_ms"])
        body.append(f'<text x="{x + step / 2:.1f}" y="{top + plot_h + 10}" text-anchor="end" font-size="8" '
                    f'transform="rotate(-45 {x + step / 2:.1f} {top + plot_h + 10})">{escape(label)}</text>')
        if not b["count"]:
            continue
        h = max(plot_h * b["count"] / largest, 1.5)
        tip = (f"{band['band']}: {b['count']} exchanges from {_ms(b['from_ms'])}"
               + (f" to {_ms(b['to_ms'])}" if b["to_ms"] is not None else " up"))
        body.append(f'<g class="bar"><title>{escape(tip)}</title><rect x="{x + 1.5:.1f}" y="{top + plot_h - h:.1f}" '
                    f'width="{step - 3:.1f}" height="{h:.1f}" fill="#4a6fa5"/><text x="{x + step / 2:.1f}" '
                    f'y="{top + plot_h - h - 2:.1f}" text-anchor="middle" font-size="8">{b["count"]}</text></g>')
    return _svg(width, height, f"HAN request/response latency distribution, {band['band']}", body,
                "chart latency-histogram")


_STATE_FILL = {"Normal": "#3f9b50", "Limited": "#f2c14e", "Critical": "#d9822b", "Regulated": "#a32020"}


def duty_cycle_chart(points: list[Mapping], thresholds: Mapping[str, float], width: float = 680) -> Markup:
    """Each execution's busiest sub-GHz transmitter's peak rolling-hour duty cycle, at the time the execution
    finished, against the thresholds at which the GB duty cycle state rises."""
    left, right, top, bottom, plot_h = 44.0, 86.0, 10.0, 34.0, 120.0
    plot_w = width - left - right
    height = top + plot_h + bottom
    times = [_instant(p.get("finished_at")) for p in points]
    known = [t for t in times if t is not None]
    start, end = (min(known), max(known)) if known else (None, None)
    span = (end - start).total_seconds() if start and end else 0.0
    ceiling = max([*(p["peak_percent"] for p in points), thresholds["regulated"]]) * 1.15
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#555"/>',
            f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#555"/>',
            f'<text x="12" y="{top + plot_h / 2:.0f}" font-size="9" text-anchor="middle" '
            f'transform="rotate(-90 12 {top + plot_h / 2:.0f})">peak duty cycle %</text>']
    for tick in (0.0, ceiling / 2, ceiling):
        y = top + plot_h - plot_h * tick / ceiling
        body.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" font-size="8.5">{tick:.1f}</text>')
    for name, state in (("limited", "Limited"), ("critical", "Critical"), ("regulated", "Regulated")):
        y = top + plot_h - plot_h * thresholds[name] / ceiling
        body.append(f'<g class="threshold"><line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
                    f'stroke="{_STATE_FILL[state]}" stroke-dasharray="5 3"/><text x="{left + plot_w + 4}" '
                    f'y="{y + 3:.1f}" font-size="8.5">{state} {thresholds[name]:g}%</text></g>')
    if not points:
        body.append(f'<text x="{left + plot_w / 2}" y="{top + plot_h / 2}" text-anchor="middle" fill="#555">'
                    'no sub-GHz traffic captured in the latest executions</text>')
    for i, (p, t) in enumerate(zip(points, times, strict=True)):
        # Executions without a finish time keep their order, spread evenly.
        share = ((t - start).total_seconds() / span if t and start and span else
                 (i + 0.5) / len(points))
        x = left + plot_w * share
        y = top + plot_h - plot_h * p["peak_percent"] / ceiling
        state = ("Regulated" if p["peak_percent"] >= thresholds["regulated"] else "Critical"
                 if p["peak_percent"] >= thresholds["critical"] else "Limited"
                 if p["peak_percent"] >= thresholds["limited"] else "Normal")
        tip = (f"{p['test']} (execution {p['execution']}): {p['busiest']} peaked at {p['peak_percent']:.3f}% "
               f"({state}), {p['channel_changes']} channel changes")
        body.append(f'<circle class="point {state.lower()}" cx="{x:.1f}" cy="{y:.1f}" r="2.6" '
                    f'fill="{_STATE_FILL[state]}" stroke="#222" stroke-width="0.4"><title>{escape(tip)}</title>'
                    f'</circle>')
    if start and end:
        same_day = start.date() == end.date()
        fmt = "%H:%M" if same_day else "%d %b %H:%M"
        body.append(f'<text x="{left}" y="{top + plot_h + 14}" font-size="8.5">{start:{fmt}}</text>')
        body.append(f'<text x="{left + plot_w}" y="{top + plot_h + 14}" text-anchor="end" font-size="8.5">'
                    f'{end:{fmt}}</text>')
        body.append(f'<text x="{left + plot_w / 2}" y="{top + plot_h + 28}" text-anchor="middle" font-size="9">'
                    f'executions finished {start:%d %b %Y}{"" if same_day else f" to {end:%d %b %Y}"} (UTC)</text>')
    return _svg(width, height, "Sub-GHz duty cycle over the phase", body, "chart duty-cycle")


def _instant(stamp: str | None) -> dt.datetime | None:
    if not stamp:
        return None
    try:
        instant = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return instant.astimezone(dt.UTC) if instant.tzinfo else instant.replace(tzinfo=dt.UTC)

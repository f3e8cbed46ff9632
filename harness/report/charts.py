"""Inline SVG charts for the Test Phase Completion Report.

Drawn on the server as plain SVG strings so that the report reads the same in a browser with JavaScript
off and in the PDF. Every coloured mark also carries its number, and the fills differ in lightness (plus a
hatch for "not run"), so a greyscale print keeps them apart.
"""

from __future__ import annotations

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


def outcome_bars(rows: list[tuple[str, Mapping[str, int]]], label: str, key: str, width: float = 680) -> Markup:
    """One stacked horizontal bar per row (a CH variant, a family) of its planned tests by outcome.
    `key` names the chart's hatch pattern: ids must be unique in the page, and each SVG needs its own."""
    hatch = f"hatch-{key}"
    fills = {o: fill.format(hatch=hatch) for o, fill in _OUTCOME_FILL.items()}
    label_w, total_w, row_h, bar_h, top = 170.0, 64.0, 22.0, 15.0, 26.0
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
                body.append(f'<text x="{x + w / 2:.1f}" y="{y + bar_h - 4}" text-anchor="middle" font-size="10" '
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


def heatmap(rows: list[str], columns: list[Mapping], cells: list[Mapping], most_columns: int = 8) -> Markup:
    """CH variants down, devices across (grouped by device type), each tested pair coloured by pass rate
    with "passed/executed" written in it; pairs never tested stay blank with a dash.

    A lab with many devices gets one chart per few device types, at most `most_columns` devices each (a type
    split only when it alone has more), so that a chart fits an A4 page's width at a readable size."""
    groups: dict[str, list[Mapping]] = {}
    for column in columns:
        groups.setdefault(column["device_type"], []).append(column)
    charts: list[list[tuple[str, list[Mapping]]]] = [[]]
    for device_type, members in groups.items():
        for start in range(0, len(members), most_columns):
            part = members[start:start + most_columns]
            if charts[-1] and sum(len(m) for _, m in charts[-1]) + len(part) > most_columns:
                charts.append([])
            charts[-1].append((device_type, part))
    by_pair = {(c["ch_variant"], c["device"]): c for c in cells}
    return Markup("").join(_heatmap_chart(rows, chart, by_pair, legend=i == len(charts) - 1)
                           for i, chart in enumerate(charts))


def _heatmap_chart(rows: list[str], groups: list[tuple[str, list[Mapping]]],
                   by_pair: Mapping[tuple[str, str], Mapping], legend: bool) -> Markup:
    label_w, cell_w, cell_h, group_h, name_h = 160.0, 62.0, 38.0, 18.0, 118.0
    ordered = [c for _, members in groups for c in members]
    top = group_h + name_h
    bottom = top + cell_h * max(len(rows), 1)
    body: list[str] = []
    width = label_w + cell_w * max(len(ordered), 1)
    if legend:
        key, key_end = _legend([(band, text, _BAND_FILL[band]) for band, text in _BAND_LEGEND], x=4, y=bottom + 20)
        body.append(key)
        width = max(width, key_end)

    x = label_w
    for device_type, members in groups:
        span = cell_w * len(members)
        body.append(f'<g class="device-type"><line x1="{x + 3}" y1="{group_h - 2}" x2="{x + span - 3}" '
                    f'y2="{group_h - 2}" stroke="#333"/><text x="{x + span / 2:.1f}" y="{group_h - 6}" '
                    f'text-anchor="middle" font-weight="bold">{escape(_fit(device_type, span, 11))}</text></g>')
        x += span
    for i, column in enumerate(ordered):
        cx = label_w + i * cell_w + cell_w / 2
        name, maker = column["device"], column.get("manufacturer") or ""
        body.append(f'<g class="device" transform="translate({cx - 3:.1f},{top - 4}) rotate(-90)">'
                    f'<title>{escape(name)} ({escape(maker)})</title>'
                    f'<text x="0" y="0" font-size="10.5">{escape(_fit(name, name_h - 4, 10.5))}</text>'
                    f'<text x="0" y="11" font-size="9" fill="#444">{escape(_fit(maker, name_h - 4, 9))}</text></g>')

    for r, variant in enumerate(rows):
        y = top + r * cell_h
        body.append(f'<text x="{label_w - 6}" y="{y + cell_h / 2 + 4:.1f}" text-anchor="end" font-weight="bold">'
                    f'<title>{escape(variant)}</title>{escape(_fit(variant, label_w - 8, 11))}</text>')
        for i, column in enumerate(ordered):
            x = label_w + i * cell_w
            cell = by_pair.get((variant, column["device"]))
            if cell is None:
                body.append(f'<g class="untested"><title>{escape(variant)} × {escape(column["device"])}: not tested'
                            f'</title><rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" '
                            f'fill="#fff" stroke="#bbb" stroke-dasharray="3 2"/><text x="{x + cell_w / 2}" '
                            f'y="{y + cell_h / 2 + 4}" text-anchor="middle" fill="#888">–</text></g>')
                continue
            body.append(_heat_cell(cell, column, x, y, cell_w, cell_h))

    height = bottom + (34 if legend else 8)
    return _svg(width + 4, height, "Heatmap of pass rate per CH variant and device", body, "chart heatmap")


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
            f'<text x="{x + w / 2}" y="{y + 16}" text-anchor="middle" font-weight="bold" fill="{ink}">'
            f'{passed}/{executed}</text>'
            f'<text x="{x + w / 2}" y="{y + 29}" text-anchor="middle" font-size="9" fill="{ink}">{second}</text></g>')

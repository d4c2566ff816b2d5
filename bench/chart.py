"""Draws the ratios of a bench/measure.py results file as an SVG bar chart (stdlib only).

    python3 bench/chart.py target/bench/results.json bench/ratios.svg

One bar per ratio, on a logarithmic axis: the bar runs from 1x (parity) to the median of the paired runs'
ratios and a whisker spans their min..max. The upper panel shows how many times the Rust
SDK beats connector-py (higher is better); the lower one shows what the Rust SDK costs over
the floor program (lower is better, 1.15 is the target line).
"""

import json
import math
import sys
from html import escape

WIDTH = 900
LABEL_WIDTH = 360
ROW = 26
PLOT_WIDTH = WIDTH - LABEL_WIDTH - 40


def rows(results: list[dict]) -> tuple[list[dict], list[dict]]:
    """(Rust against Python, Rust against the floor), as label / min / median / max."""
    versus_python, versus_floor = [], []
    for entry in results:
        for ratio in entry["ratios"]:
            label = f"{entry['measure'].split(' (')[0]} [{ratio['unit']}]"
            row = {"label": label, "min": ratio["min"], "median": ratio["median"], "max": ratio["max"]}
            if ratio["to"] == "floor":
                versus_floor.append(row)
            else:
                versus_python.append(row)
    return versus_python, versus_floor


def panel(title: str, items: list[dict], top: float, lo: float, hi: float, ticks: list[float],
          marks: list[tuple[float, str]]) -> tuple[list[str], float]:
    out = [f'<text x="10" y="{top + 16}" font-size="15" font-weight="bold">{escape(title)}</text>']
    top += 28
    span = math.log10(hi) - math.log10(lo)

    def x(value: float) -> float:
        value = min(max(value, lo), hi)
        return LABEL_WIDTH + (math.log10(value) - math.log10(lo)) / span * PLOT_WIDTH

    height = ROW * len(items)
    for tick in ticks:
        if lo <= tick <= hi:
            out.append(f'<line x1="{x(tick):.1f}" y1="{top}" x2="{x(tick):.1f}" y2="{top + height}" stroke="#ddd"/>')
            out.append(f'<text x="{x(tick):.1f}" y="{top + height + 14}" font-size="11" text-anchor="middle">{tick:g}x</text>')
    for value, name in marks:
        out.append(f'<line x1="{x(value):.1f}" y1="{top}" x2="{x(value):.1f}" y2="{top + height}" stroke="#c00" stroke-dasharray="4 3"/>')
        out.append(f'<text x="{x(value):.1f}" y="{top + height + 28}" font-size="11" fill="#c00" text-anchor="middle">{escape(name)}</text>')
    for index, item in enumerate(items):
        y = top + index * ROW
        # Bars grow from parity (1x): right when the ratio is above 1, left when below.
        left, right = sorted((x(1.0), x(item["median"])))
        out.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 17}" font-size="12" text-anchor="end">{escape(item["label"])}</text>')
        out.append(f'<rect x="{left:.1f}" y="{y + 5}" width="{right - left:.1f}" height="16" fill="#4a7fb5"/>')
        out.append(f'<line x1="{x(item["min"]):.1f}" y1="{y + 13}" x2="{x(item["max"]):.1f}" y2="{y + 13}" stroke="#222" stroke-width="1.5"/>')
        out.append(f'<text x="{x(item["median"]) + 4:.1f}" y="{y + 12}" font-size="10">{item["median"]:.3g}x</text>')
    return out, top + height + 36


def draw(data: dict) -> str:
    versus_python, versus_floor = rows(data["results"])
    parts: list[str] = []
    top = 10.0
    if versus_python:
        hi = max(10.0, max(item["max"] for item in versus_python) * 1.5)
        drawn, top = panel("Rust SDK vs connector-py 4.280.0: times faster / smaller (higher is better)",
                           versus_python, top, 0.5, hi, [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
                           [(1.0, "parity")])
        parts += drawn
    if versus_floor:
        hi = max(2.0, max(item["max"] for item in versus_floor) * 1.2)
        lo = min(0.8, min(item["min"] for item in versus_floor) * 0.9)
        drawn, top = panel("Rust SDK vs the floor program: cost over writing the bytes directly (lower is better)",
                           versus_floor, top + 10, lo, hi, [0.5, 0.8, 1, 1.5, 2, 3, 5],
                           [(1.15, "target 1.15x")])
        parts += drawn
    note = "median bar, min..max whisker over paired runs; provisional numbers, see BENCHMARKS.md"
    parts.append(f'<text x="10" y="{top + 6}" font-size="11" fill="#555">{escape(note)}</text>')
    height = top + 20
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
            f'viewBox="0 0 {WIDTH} {height:.0f}" font-family="sans-serif">\n'
            f'<rect width="100%" height="100%" fill="white"/>\n' + "\n".join(parts) + "\n</svg>\n")


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1]) as source:
        data = json.load(source)
    with open(sys.argv[2], "w") as target:
        target.write(draw(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Prints a bench/measure.py results file as the Markdown tables of BENCHMARKS.md (stdlib only).

    python3 bench/report.py target/bench/results.json
"""

import json
import sys


def cell(spread: dict, digits: int = 1) -> str:
    return f"{spread['median']:,.{digits}f} ({spread['min']:,.{digits}f}–{spread['max']:,.{digits}f})"


def number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def ratio(spread: dict) -> str:
    return f"**{number(spread['median'])}×** ({number(spread['min'])}–{number(spread['max'])})"


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1]) as source:
        data = json.load(source)
    machine = data["machine"]
    print(f"Run of {machine.get('seconds', 0):.0f} s on {machine.get('cpus')} × {machine.get('cpu', '?')}, "
          f"{machine.get('memory', '?')}, load average at start {', '.join(f'{x:.2f}' for x in machine.get('load_average_at_start', []))}.")
    print()
    print("Process measures: median (min–max) of the runs; ratios are per pair of alternating runs.")
    print()
    print("| measure | runs | side | wall ms | peak RSS MiB |")
    print("|---|---|---|---|---|")
    for entry in data["results"]:
        for side, values in entry["sides"].items():
            if "ms" in values:
                print(f"| {entry['measure']} | {entry['runs']} | {side} | {cell(values['ms'])} | {cell(values['rss_mib'])} |")
    print()
    print("| measure | runs | side | rate |")
    print("|---|---|---|---|")
    for entry in data["results"]:
        for side, values in entry["sides"].items():
            for unit, spread in values.items():
                if unit not in ("ms", "rss_mib"):
                    print(f"| {entry['measure']} | {entry['runs']} | {side} | {cell(spread, 0)} {unit} |")
    print()
    print("| measure | ratio | of | median (min–max) |")
    print("|---|---|---|---|")
    for entry in data["results"]:
        for item in entry["ratios"]:
            print(f"| {entry['measure']} | {item['of']} / {item['to']} | {item['unit']} | {ratio(item)} |")
    if data.get("failures"):
        print()
        for failure in data["failures"]:
            print(f"- FAILED: {failure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

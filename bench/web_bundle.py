"""First-load JavaScript of the dashboard's pages, gzip-compressed (issue 10 goal: the overview
≤ 200 kB). Reads the static build (web/out): each page's HTML names the scripts a first visit
loads; each is gzipped at level 9 as a server would send it. The baseline, measured in the same
run, is the framework alone: the 404 page, which loads only Next.js and React.

    .venv/bin/python bench/web_bundle.py [--out web/out]
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from pathlib import Path

GOAL_KB = 200.0
PAGES = {
    "overview": "index.html",
    "market": "market/index.html",
    "symbol": "symbol/index.html",
    "strategies": "strategies/index.html",
    "alerts": "alerts/index.html",
    "monitoring": "monitoring/index.html",
    "settings": "settings/index.html",
    "login": "login/index.html",
    "framework only (404)": "404.html",
}


def first_load_kb(out: Path, page: str) -> tuple[float, float]:
    """(gzip kB, raw kB) of the scripts `page` loads on a first visit."""
    html = (out / page).read_text(encoding="utf-8")
    tags = re.findall(r"<script[^>]*>", html)
    sources = sorted(
        {
            match.group(1)
            for tag in tags
            if "nomodule" not in tag.lower()  # polyfills only old browsers load
            and (match := re.search(r'src="(/_next/[^"]+\.js)"', tag))
        }
    )
    raw = gz = 0
    for src in sources:
        data = (out / src.lstrip("/")).read_bytes()
        raw += len(data)
        gz += len(gzip.compress(data, compresslevel=9))
    return gz / 1024, raw / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parents[1] / "web" / "out")
    args = parser.parse_args()
    if not (args.out / "index.html").is_file():
        print(f"no build at {args.out}: run `make web` first (needs Node.js)")
        return 1
    base, _ = first_load_kb(args.out, PAGES["framework only (404)"])
    print("| page | first-load JS, gzip kB | raw kB | × framework alone |")
    print("|---|---:|---:|---:|")
    overview = 0.0
    for name, page in PAGES.items():
        if not (args.out / page).is_file():
            continue
        gz, raw = first_load_kb(args.out, page)
        overview = gz if name == "overview" else overview
        print(f"| {name} | {gz:.1f} | {raw:.1f} | {gz / base:.2f} |")
    verdict = "met" if overview <= GOAL_KB else "NOT met"
    print(f"\nGoal: overview first-load JS ≤ {GOAL_KB:.0f} kB gzip: {overview:.1f} kB, {verdict}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

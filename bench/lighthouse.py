"""Lighthouse (mobile) on the pages a phone opens first, in Chinese and English.

    npm i --prefix /tmp/hub-npm -E lighthouse@12.2.3
    LIGHTHOUSE=/tmp/hub-npm/node_modules/.bin/lighthouse CHROME_PATH=/usr/bin/chromium \\
        .venv/bin/python bench/lighthouse.py [--data-dir DIR] [--port 8600] [--runs 1]

Serves bench/demo_site.py's data (a notice with a photo on Today, a round on now, a task with
two photos, an event with a cover), signs in as the person each page is for, and runs Lighthouse
with its default mobile settings (a mid-range phone, slow 4G, 4x CPU slowdown) on each page, one
run after the other. Prints performance, accessibility and best practices scores, LCP, CLS and
the bytes transferred. Targets: performance 95, accessibility 100, best practices 100, CLS 0.05.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from demo_site import PageCase, Site, lighthouse_pages, running_site

LANGUAGES = ("zh", "en")
DEFAULT_LIGHTHOUSE = "/tmp/hub-npm/node_modules/.bin/lighthouse"  # noqa: S108 - outside the repo
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking"
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100}
CLS_TARGET = 0.05


def audit(site: Site, case: PageCase, language: str, lighthouse: str, out: Path) -> dict:  # type: ignore[type-arg]
    headers = {"Accept-Language": language}
    if case.who != "anonymous":
        headers["Cookie"] = site.person(case.who, language).cookie_header()
    command = [
        lighthouse,
        site.url + case.path,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--chrome-flags={CHROME_FLAGS}",
        "--only-categories=performance,accessibility,best-practices",
        f"--extra-headers={json.dumps(headers)}",
        "--max-wait-for-load=45000",
    ]
    for attempt in range(3):  # Lighthouse now and then loses its trace (NO_NAVSTART): again
        result = subprocess.run(  # noqa: S603 - the Lighthouse the caller names
            command, timeout=300, env={**os.environ}, check=False
        )
        if result.returncode == 0:
            return json.loads(out.read_text())
        print(f"  {case.path} ({language}): Lighthouse failed, try {attempt + 2} of 3", flush=True)
    raise SystemExit(f"Lighthouse failed three times on {case.path}")


def figures(report: dict) -> dict[str, float]:  # type: ignore[type-arg]
    audits = report["audits"]
    return {
        **{name: round(report["categories"][name]["score"] * 100) for name in TARGETS},
        "lcp_s": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "kb": audits["total-byte-weight"]["numericValue"] / 1024,
    }


def failed_audits(report: dict) -> list[str]:  # type: ignore[type-arg]
    """The audits that cost points in accessibility and best practices, by id."""
    ids = []
    for name in ("accessibility", "best-practices"):
        for ref in report["categories"][name]["auditRefs"]:
            result = report["audits"][ref["id"]]
            if ref["weight"] and result["score"] is not None and result["score"] < 1:
                ids.append(ref["id"])
    return ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--port", type=int, default=8600)
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median is kept")
    args = parser.parse_args()
    lighthouse = os.environ.get("LIGHTHOUSE", DEFAULT_LIGHTHOUSE)
    if not Path(lighthouse).exists():
        raise SystemExit(
            f"{lighthouse} is missing: npm i --prefix /tmp/hub-npm -E lighthouse@12.2.3"
        )
    os.environ.setdefault("CHROME_PATH", "/usr/bin/chromium")
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="hub-lighthouse-"))
    met = True
    header = "page (language)       perf  a11y  best   LCP s    CLS      KB  lost points on"
    rows = [header, "-" * len(header)]
    with tempfile.TemporaryDirectory() as tmp, running_site(data_dir, args.port) as site:
        for language in LANGUAGES:
            for case in lighthouse_pages(site):
                runs = []
                for n in range(args.runs):
                    out = Path(tmp) / f"{case.name}-{language}-{n}.json"
                    runs.append(audit(site, case, language, lighthouse, out))
                scores = [figures(r) for r in runs]
                median = {k: statistics.median(s[k] for s in scores) for k in scores[0]}
                lost = failed_audits(runs[0])
                met = met and all(median[k] >= v for k, v in TARGETS.items())
                met = met and median["cls"] < CLS_TARGET
                rows.append(
                    f"{case.name + ' (' + language + ')':<20} {median['performance']:5.0f} "
                    f"{median['accessibility']:5.0f} {median['best-practices']:5.0f} "
                    f"{median['lcp_s']:7.2f} {median['cls']:6.3f} {median['kb']:7.0f}  "
                    f"{', '.join(lost)}"
                )
                print(rows[-1], flush=True)
    print("\n".join(rows))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

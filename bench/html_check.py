"""The Nu Html Checker on every full page of Hub, in Chinese and English.

    VNU_JAR=/tmp/hub-npm/node_modules/vnu-jar/build/dist/vnu.jar \\
        .venv/bin/python bench/html_check.py [--data-dir DIR] [--port 8600]

The checker is the npm package `vnu-jar` (Java runs it); install it outside the repository,
for example `npm i --prefix /tmp/hub-npm vnu-jar`. Exits 1 when any error or warning is found.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from demo_site import Site, every_page, fetch, running_site

LANGUAGES = ("zh", "en")
DEFAULT_JAR = "/tmp/hub-npm/node_modules/vnu-jar/build/dist/vnu.jar"  # noqa: S108 - outside the repo


def save_pages(site: Site, folder: Path) -> dict[str, str]:
    """Each page's HTML in a file; file name -> "page (language)"."""
    names = {}
    for language in LANGUAGES:
        for case in every_page(site):
            response = fetch(site, case, language)
            if not response.headers.get("content-type", "").startswith("text/html"):
                raise SystemExit(f"{case.path}: {response.status_code}, not a page")
            path = folder / f"{case.name}-{language}.html"
            path.write_text(response.text, encoding="utf-8")
            names[path.name] = f"{case.name} ({language}, {case.path})"
    return names


def check(folder: Path, jar: Path) -> list[dict]:  # type: ignore[type-arg]
    """The checker's errors and warnings on every file of the folder."""
    result = subprocess.run(  # noqa: S603 - Debian's Java and the checker the caller names
        ["java", "-jar", str(jar), "--format", "json", str(folder)],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return [
        m for m in json.loads(result.stderr or "{}").get("messages", []) if m["type"] == "error"
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--port", type=int, default=8600)
    args = parser.parse_args()
    jar = Path(os.environ.get("VNU_JAR", DEFAULT_JAR))
    if not jar.exists():
        raise SystemExit(f"{jar} is missing: npm i --prefix /tmp/hub-npm vnu-jar")
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="hub-html-check-"))
    with tempfile.TemporaryDirectory() as tmp, running_site(data_dir, args.port) as site:
        folder = Path(tmp)
        names = save_pages(site, folder)
        messages = check(folder, jar)
    errors = [m for m in messages if m["type"] == "error"]
    warnings = [m for m in messages if m.get("subType") == "warning"]
    print(f"{len(names)} pages checked ({len(names) // len(LANGUAGES)} pages x 2 languages)")
    print(f"errors: {len(errors)}, warnings: {len(warnings)}")
    kinds: Counter[str] = Counter()
    for message in errors + warnings:
        page = names.get(Path(message.get("url", "")).name, message.get("url", ""))
        kinds[f"{message['type']}/{message.get('subType', '')}: {message['message']}"] += 1
        print(f"  {page} line {message.get('lastLine')}: {message['message']}")
    for kind, count in kinds.most_common():
        print(f"{count:5d}  {kind}")
    return 1 if errors or warnings else 0


if __name__ == "__main__":
    sys.exit(main())

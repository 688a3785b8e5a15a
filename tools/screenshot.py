"""Render a `kg view` page to PNG with headless Chromium: ``make screenshot`` makes docs/graph.png.

``python tools/screenshot.py PAGE.html OUT.png [--select NAME] [--chromium PATH]`` opens the
page from disk in Debian's chromium (driven by playwright; no browser is downloaded), waits
for the layout, opens the side panel of the speaker with the most positions (or of the node
named NAME) and writes a 1400x900 screenshot. Any network request is blocked and reported.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from playwright.sync_api import Route, sync_playwright

# The node whose panel to open: the one named like ``name``, else the busiest speaker.
PICK = """name => {
  const cy = window.kgView.cy;
  const byName = name ? cy.nodes().filter(n => n.data('label') === name) : cy.collection();
  const nodes = byName.length ? byName
    : cy.nodes().sort((a, b) => b.data('weight') - a.data('weight'));
  if (nodes.length) window.kgView.show(nodes[0].id());
  return nodes.length ? nodes[0].data('label') : null;
}"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--select", default="", help="the name of the node to open")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    if not args.page.is_file():
        sys.exit(f"screenshot: {args.page} does not exist; run kg view first")
    if not Path(args.chromium).is_file():
        sys.exit("screenshot: chromium not found; run `make browser` or pass --chromium")
    blocked: list[str] = []
    url = args.page.resolve().as_uri()

    def only_the_page(route: Route) -> None:
        if route.request.url == url:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.route("**/*", only_the_page)
        page.goto(url)
        page.wait_for_function("window.kgView && window.kgView.ready", timeout=120_000)
        shown = page.evaluate(PICK, args.select)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(args.out))
        browser.close()
    for request in blocked:
        print(f"screenshot: blocked a request to {request}", file=sys.stderr)
    print(f"wrote {args.out} (panel: {shown})")
    return 1 if blocked else 0


if __name__ == "__main__":
    sys.exit(main())

"""Fetch cytoscape from the npm registry and copy it into kg/view/assets/ for `kg view` to inline.

``python tools/bundle_cytoscape.py`` runs ``npm pack cytoscape@VERSION`` in a temporary
folder (the machine's own npm and registry settings; nothing is installed anywhere),
checks the tarball against the pinned SHA-512 integrity npm prints, and writes
``cytoscape.min.js``, ``cytoscape.LICENSE`` and ``NOTICE`` into ``kg/view/assets/``.
These files are committed: ``kg view`` never touches the network, and a wheel carries them.
``--check`` compares the committed files with the tarball's and exits 1 when they differ.

To move to another version, change VERSION and INTEGRITY (``npm view cytoscape@X dist.integrity``)
and run the script; review the NOTICE diff.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "kg" / "view" / "assets"
PACKAGE = "cytoscape"
VERSION = "3.34.4"
INTEGRITY = (
    "sha512-msY99tMY8iWTg+sIPGfSqDcPNOt4xcj+v/K/7qUFaCUxxlqnMkUYLBjRUzn9W5CU/R2hrmtJa5+UtovrEM2ctg"
    "=="
)


def pack(workdir: Path) -> Path:
    """Download the package tarball with ``npm pack``; return its path after checking it."""
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("bundle_cytoscape: npm is not on PATH; install Node.js (apt-get install npm)")
    done = subprocess.run(
        [npm, "pack", f"{PACKAGE}@{VERSION}", "--json", "--pack-destination", str(workdir)],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    )
    (info,) = json.loads(done.stdout)
    tarball = workdir / info["filename"]
    digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if f"sha512-{digest}" != INTEGRITY:
        sys.exit(f"bundle_cytoscape: {tarball.name} does not match the pinned integrity")
    return tarball


def files_from(tarball: Path) -> dict[str, bytes]:
    """The bundled files, by their name in kg/view/assets/."""
    with tarfile.open(tarball) as tar:

        def read(member: str) -> bytes:
            handle = tar.extractfile(member)
            if handle is None:
                sys.exit(f"bundle_cytoscape: {member} is missing from {tarball.name}")
            return handle.read()

        script = read("package/dist/cytoscape.min.js")
        license_text = read("package/LICENSE")
    # The script is inlined in a <script> element: this sequence would end it early.
    if b"</script" in script.lower():
        sys.exit("bundle_cytoscape: the script contains '</script'; it cannot be inlined")
    notice = (
        f"cytoscape.min.js is {PACKAGE} {VERSION} (dist/cytoscape.min.js of the npm package),\n"
        f"MIT licence: see cytoscape.LICENSE. npm integrity {INTEGRITY}\n"
        f"sha256 of cytoscape.min.js: {hashlib.sha256(script).hexdigest()}\n"
        "Written by tools/bundle_cytoscape.py; do not edit by hand.\n"
    )
    return {
        "cytoscape.min.js": script,
        "cytoscape.LICENSE": license_text,
        "NOTICE": notice.encode(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if kg/view/assets/ differs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bundle-cytoscape-") as tmp:
        wanted = files_from(pack(Path(tmp)))
    stale = [
        n
        for n, data in wanted.items()
        if not (TARGET / n).is_file() or (TARGET / n).read_bytes() != data
    ]
    if args.check:
        for name in stale:
            print(f"kg/view/assets/{name} differs from {PACKAGE} {VERSION}")
        return 1 if stale else 0
    TARGET.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (TARGET / name).write_bytes(wanted[name])
        print(f"wrote kg/view/assets/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

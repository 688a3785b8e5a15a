"""The HTML page: the shipped template filled with its style, scripts, data and CSP.

The template, style and script are ``kg/view/assets/`` (cytoscape bundled beside them),
inlined so that the page is one file that loads nothing.

Safety: article text is hostile. The data goes into ``<script type="application/json">``
with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped, the page script inserts it with
``textContent`` only, and a Content-Security-Policy lets only the two shipped scripts run
(by hash) and the page load nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from importlib.resources import files
from typing import Any

__all__ = ["page_html"]

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028"}
_JSON_ESCAPES["\u2029"] = "\\u2029"
_PLACEHOLDER = re.compile(r"\{\{([A-Z]+)\}\}")


def page_html(data: Any) -> bytes:
    """The page, UTF-8, showing ``data`` (JSON-able) with the shipped script."""
    library, app = _asset("cytoscape.min.js"), _asset("view.js")
    csp = (
        "default-src 'none'; "
        f"script-src {_script_hash(library)} {_script_hash(app)}; "
        # cytoscape adds a <style> element of its own, so inline styles stay allowed.
        "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
    )
    parts = {
        "CSP": csp,
        "STYLE": _asset("view.css"),
        "DATA": _json_for_script(data),
        "LIBRARY": library,
        "APP": app,
    }
    # One pass: text put in is never scanned again, so data cannot name a placeholder.
    page = _PLACEHOLDER.sub(lambda m: parts[m.group(1)], _asset("view.html"))
    return page.encode("utf-8")


def _asset(name: str) -> str:
    return (files("kg.view") / "assets" / name).read_text(encoding="utf-8")


def _json_for_script(data: Any) -> str:
    """JSON that cannot end its <script> element or break a JS parser: <, >, & escaped."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text)


def _script_hash(script: str) -> str:
    """The CSP source that lets exactly this inline script run."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"

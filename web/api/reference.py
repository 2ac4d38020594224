"""The browsable API reference at /schema: Scalar, served from this origin.

Litestar's ScalarRenderPlugin loads ``@scalar/api-reference@latest`` from a CDN (no
version pinned, no integrity check) into a page on the same origin as the session
cookie.  Here the script is the pinned npm build that ``make assets`` copies into
web/static/vendor (package.json / package-lock.json, like htmx), the page has no
inline script (its configuration is a data attribute on a JSON data block, which is
never executed), and the page gets a Content-Security-Policy with ``script-src 'self'``
(web/pages/security.py: API_REFERENCE_POLICY)."""

from __future__ import annotations

from html import escape
from typing import Any

import msgspec
from litestar import Request
from litestar.openapi.plugins import ScalarRenderPlugin

SCALAR_JS = "/static/vendor/scalar/standalone.js"
# Nothing from elsewhere or to elsewhere (the CSP refuses it anyway): no web fonts from
# Scalar's servers, no telemetry, no AI agent chat, no developer toolbar.
CONFIGURATION: dict[str, object] = {
    "withDefaultFonts": False,
    "telemetry": False,
    "agent": {"disabled": True},
    "showDeveloperTools": "never",
}


class SelfHostedScalar(ScalarRenderPlugin):
    def __init__(self) -> None:
        super().__init__(js_url=SCALAR_JS, css_url="")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = escape(str(openapi_schema["info"]["title"]))
        schema_url = escape(self.get_openapi_json_route(request))
        configuration = escape(msgspec.json.encode(CONFIGURATION).decode())
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
</head>
<body>
<noscript>The API reference needs JavaScript; the document itself is at
<a href="{schema_url}">{schema_url}</a>.</noscript>
<script id="api-reference" type="application/json" data-url="{schema_url}"
 data-configuration="{configuration}"></script>
<script src="{SCALAR_JS}"></script>
</body>
</html>
""".encode()

"""The API's docs at /schema, served entirely by us: Swagger UI's files come from the
`swagger-ui-bundle-v2` package (pinned in uv.lock) through our own static route, so the
page works on a machine with no internet and loads nothing from a CDN."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path
from typing import Any

from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import (
    JsonRenderPlugin,
    OpenAPIRenderPlugin,
    SwaggerRenderPlugin,
    YamlRenderPlugin,
)
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path

# The version is in the URL, so a browser may keep the files for good and an upgrade of
# the package is fetched anew.
SWAGGER_UI_VERSION = version("swagger-ui-bundle-v2")
STATIC_PATH = f"/static/swagger-ui/{SWAGGER_UI_VERSION}"
_FILES = Path(str(swagger_ui_path))


# Shown under the title of the docs: how to start, where else to go.
DESCRIPTION = """\
The JSON API for the agency's own front ends and clients' integrations. The agency
workspace is not built yet: collectors, supervisors and admins work here.

**To start**: open *auth → POST /api/v1/auth/login*, press *Try it out*, sign in (with
a login `agency seed-demo` printed, on a demo server), then press **Authorize** and paste
the access_token. Amounts are integer cents; errors all share one
body (ErrorBody, below).

[Front page](/) (the client portal and the other doors) · [OpenAPI JSON](/schema/openapi.json)
"""


def render_plugins() -> list[OpenAPIRenderPlugin]:
    swagger = SwaggerRenderPlugin(
        path=["/", "/swagger"],
        js_url=f"{STATIC_PATH}/swagger-ui-bundle.js",
        css_url=f"{STATIC_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{STATIC_PATH}/swagger-ui-standalone-preset.js",
        # Litestar's default icon is fetched from a CDN.
        favicon=f'<link rel="icon" type="image/png" href="{STATIC_PATH}/favicon-32x32.png">',
        # Swagger UI's 36px title takes a phone's whole first screen.
        style="<style>body { margin: 0; padding: 0 } @media (max-width: 600px) "
        "{ .swagger-ui .info .title { font-size: 24px } }</style>",
    )
    return [swagger, JsonRenderPlugin(), YamlRenderPlugin()]


def static_route() -> Any:
    return create_static_files_router(
        path=STATIC_PATH,
        directories=[_FILES],
        include_in_schema=False,
        cache_control=CacheControlHeader(max_age=31_536_000, public=True),
        name="swagger_ui_static",
    )

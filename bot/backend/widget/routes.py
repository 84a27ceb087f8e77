"""Serve the chat widget (`/widget/...`) and demo pages that embed it with one script tag: `/demo` for
the default municipality (Voorbeeldstad) and `/demo/<slug>` for another one (`/demo/heideveen`), each
with its own `data-gemeente` (static/demo.html, static/demo-<slug>.html).

The socket.io client comes from `node_modules/` (installed by `npm ci` in the set-up from the npm
registry), never from a CDN at run time.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from string import Template

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse

from bot.backend.settings import PROJECT_ROOT

STATIC_DIR = Path(__file__).resolve().parent / "static"
SOCKET_IO_CLIENT = PROJECT_ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
#: Files a page may load, by their public name.
WIDGET_FILES: dict[str, tuple[Path, str]] = {
    "widget.js": (STATIC_DIR / "widget.js", "text/javascript; charset=utf-8"),
    "widget.css": (STATIC_DIR / "widget.css", "text/css; charset=utf-8"),
    "socket.io.min.js": (SOCKET_IO_CLIENT, "text/javascript; charset=utf-8"),
}
#: A municipality's slug, as in its demo page's file name.
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
#: Browsers revalidate (ETag) on every load, so a new widget version reaches residents at once.
CACHE_HEADERS = {"Cache-Control": "no-cache"}

router = APIRouter(tags=["widget"])


@router.get("/widget/{name}", include_in_schema=False)
def widget_file(name: str) -> FileResponse:
    if name not in WIDGET_FILES:
        raise HTTPException(status_code=404, detail="Not found")
    path, media_type = WIDGET_FILES[name]
    if not path.is_file():  # node_modules missing: the set-up's `npm ci` did not run
        raise HTTPException(status_code=503, detail=f"{name} is missing; run scripts/setup.sh (npm ci)")
    return FileResponse(path, media_type=media_type, headers=CACHE_HEADERS)


@router.get("/demo", response_class=HTMLResponse, include_in_schema=False)
def demo_page(request: Request) -> HTMLResponse:
    """A fictional municipality's page with the widget embedded, pointing at `RASA_PUBLIC_URL`."""
    return _demo(request, STATIC_DIR / "demo.html")


@router.get("/demo/{gemeente}", response_class=HTMLResponse, include_in_schema=False)
def municipality_demo_page(gemeente: str, request: Request) -> HTMLResponse:
    """Another fictional municipality's page (`/demo/heideveen`): the same widget, its own data-gemeente."""
    path = STATIC_DIR / f"demo-{gemeente}.html"
    if not SLUG.match(gemeente) or not path.is_file():
        raise HTTPException(status_code=404, detail="Not found")
    return _demo(request, path)


def _demo(request: Request, path: Path) -> HTMLResponse:
    template = Template(path.read_text(encoding="utf-8"))
    rasa_url = html.escape(request.app.state.settings.rasa_public_url, quote=True)
    return HTMLResponse(template.substitute(rasa_url=rasa_url), headers=CACHE_HEADERS)

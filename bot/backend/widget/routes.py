"""Serve the chat widget (`/widget/...`) and demo pages that embed it with one script tag: `/demo` for
the default municipality (`DEFAULT_MUNICIPALITY`, Voorbeeldstad) and `/demo/<slug>` for every other
municipality with a content file (`/demo/heideveen`), each with its own `data-gemeente`. One page
(static/demo.html) filled in from the municipality's local values (content/local.yml,
content/local/<slug>.yml), so a demo page always names the phone number and hours the assistant gives.

The socket.io client comes from `node_modules/` (installed by `npm ci` in the set-up from the npm
registry), never from a CDN at run time.
"""

from __future__ import annotations

import html
from pathlib import Path
from string import Template

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse

from bot.backend.settings import PROJECT_ROOT
from bot.content_facts import LOCAL_FILE, SLUG, municipality_files, parse_local, read_yaml

STATIC_DIR = Path(__file__).resolve().parent / "static"
SOCKET_IO_CLIENT = PROJECT_ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
#: Files a page may load, by their public name.
WIDGET_FILES: dict[str, tuple[Path, str]] = {
    "widget.js": (STATIC_DIR / "widget.js", "text/javascript; charset=utf-8"),
    "widget.css": (STATIC_DIR / "widget.css", "text/css; charset=utf-8"),
    "socket.io.min.js": (SOCKET_IO_CLIENT, "text/javascript; charset=utf-8"),
}
#: The demo pages' house colours, one per municipality in turn.
DEMO_COLOURS = ("#1f4e79", "#2f5d34", "#6b2c5f")
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
    """The default municipality's page with the widget embedded, pointing at `RASA_PUBLIC_URL`."""
    return _demo(request, request.app.state.settings.default_municipality)


@router.get("/demo/{gemeente}", response_class=HTMLResponse, include_in_schema=False)
def municipality_demo_page(gemeente: str, request: Request) -> HTMLResponse:
    """Another fictional municipality's page (`/demo/heideveen`): the same widget, its own data-gemeente."""
    return _demo(request, gemeente)


def demo_towns(content_dir: Path, default: str) -> dict[str, dict[str, str]]:
    """The local values of every municipality by slug: the default's local.yml, the others on top of it."""
    local = parse_local(read_yaml(content_dir / LOCAL_FILE))[0].values
    towns = {default: local}
    for slug, path in municipality_files(content_dir).items():
        towns.setdefault(slug, {**local, **parse_local(read_yaml(path), slug)[0].values})
    return towns


def _demo(request: Request, slug: str) -> HTMLResponse:
    settings = request.app.state.settings
    towns = demo_towns(settings.content_dir, settings.default_municipality)
    if not SLUG.match(slug) or slug not in towns:
        raise HTTPException(status_code=404, detail="Not found")

    def name(values: dict[str, str]) -> str:
        return values.get("gemeente_naam", "").removeprefix("gemeente ").strip()

    def link(other: str) -> str:
        path = "/demo" if other == settings.default_municipality else f"/demo/{other}"
        return f'<a href="{path}">{html.escape(name(towns[other]))}</a>'

    values = towns[slug]
    page = Template((STATIC_DIR / "demo.html").read_text(encoding="utf-8")).substitute(
        rasa_url=html.escape(settings.rasa_public_url, quote=True),
        slug=slug,
        name=html.escape(name(values)),
        colour=DEMO_COLOURS[list(towns).index(slug) % len(DEMO_COLOURS)],
        hours=html.escape(values.get("wijkteam_bereikbaar", "")),
        phone=html.escape(values.get("wijkteam_telefoon", "")),
        others=", ".join(link(other) for other in towns if other != slug) or "geen",
    )
    return HTMLResponse(page, headers=CACHE_HEADERS)

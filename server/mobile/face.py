"""The mobile app's face: the name it is installed under, its icon set and its unlock screen,
chosen by the deployment (MOBILE_APP_NAME, MOBILE_APP_ICON, MOBILE_APP_FACE). The default is
Nezarat; with a neutral face ("calculator") nothing the phone shows names the project: not the
page title, the manifest, the home-screen name and icon, nor the visible text (the app reads
the name from the page, static/mobile/js/i18n.js)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path

from flask import current_app

from .shell import PREFIX, STATIC

DEFAULT_NAME = "Nezarat"
ICON_SETS = {"nezarat": "icons/", "calculator": "icons/calculator/"}
SCREENS = ("nezarat", "calculator")


@dataclass(frozen=True)
class Face:
    name: str = DEFAULT_NAME
    icon: str = "nezarat"
    screen: str = "nezarat"

    @property
    def icons(self) -> str:
        return PREFIX + "static/" + ICON_SETS[self.icon]

    @property
    def neutral(self) -> bool:
        return self.name != DEFAULT_NAME or self.screen != "nezarat"


def current() -> Face:
    config = current_app.config
    icon = config.get("MOBILE_APP_ICON") or "nezarat"
    screen = config.get("MOBILE_APP_FACE") or "nezarat"
    if icon not in ICON_SETS or screen not in SCREENS:
        raise ValueError(f"MOBILE_APP_ICON must be one of {sorted(ICON_SETS)}, "
                         f"MOBILE_APP_FACE one of {list(SCREENS)}")
    return Face(config.get("MOBILE_APP_NAME") or DEFAULT_NAME, icon, screen)


# A static import ("import x from './a.js'", "import './a.js'"), not import("./a.js").
STATIC_IMPORT = re.compile(r'^\s*import\s+(?:[^"\'();]*?\s+from\s+)?["\'](\.{1,2}/[^"\']+)["\']',
                           re.MULTILINE)
ENTRY = STATIC / "js" / "main.js"


@cache
def boot_modules(entry: Path = ENTRY) -> tuple[str, ...]:
    """The URLs of every module the app's entry imports, directly or not, statically: what the
    first screen waits for. The page names them (modulepreload) so that the browser asks for
    all at once rather than one level of imports after another (on a 150 ms link, each level
    is a round trip)."""
    found: list[Path] = []
    todo = [entry.resolve()]
    while todo:
        module = todo.pop(0)
        for target in STATIC_IMPORT.findall(module.read_text(encoding="utf-8")):
            path = (module.parent / target).resolve()
            if path not in found and path != entry.resolve():
                found.append(path)
                todo.append(path)
    return tuple(PREFIX + "static/" + path.relative_to(STATIC).as_posix() for path in found)


def index_html(face: Face) -> bytes:
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    main = '<script type="module" src="/m/static/js/main.js"></script>'
    page = page.replace(main, main + "".join(
        f'\n<link rel="modulepreload" href="{url}">' for url in boot_modules()))
    name = escape(face.name)
    screen = "" if face.screen == "nezarat" else face.screen
    named = f' data-app-name="{name}"' if face.neutral else ""  # else each language's own name
    page = page.replace('<html lang="en" dir="ltr">',
                        f'<html lang="en" dir="ltr"{named} data-face="{screen}">')
    for before, after in (('content="Nezarat"', f'content="{name}"'),
                          ("<title>Nezarat</title>", f"<title>{name}</title>"),
                          ('<h1 class="bar-title">Nezarat</h1>',
                           f'<h1 class="bar-title">{name}</h1>'),
                          ('<p class="boot">Nezarat…</p>', f'<p class="boot">{name}…</p>'),
                          ("/m/static/icons/", face.icons)):
        page = page.replace(before, after)
    return page.encode("utf-8")


def manifest(face: Face) -> bytes:
    data = json.loads((STATIC / "manifest.webmanifest").read_text(encoding="utf-8"))
    if face.neutral:
        data.update(name=face.name, short_name=face.name, description=face.name)
    for icon in data["icons"]:
        icon["src"] = icon["src"].replace("/m/static/icons/", face.icons)
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")

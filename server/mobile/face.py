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


def from_config(config) -> Face:
    """The face the settings choose; ValueError, naming the setting, when one is wrong."""
    icon = config.get("MOBILE_APP_ICON") or "nezarat"
    screen = config.get("MOBILE_APP_FACE") or "nezarat"
    name = config.get("MOBILE_APP_NAME")
    if icon not in ICON_SETS:
        raise ValueError(f"MOBILE_APP_ICON must be one of {sorted(ICON_SETS)}, not {icon!r}")
    if screen not in SCREENS:
        raise ValueError(f"MOBILE_APP_FACE must be one of {list(SCREENS)}, not {screen!r}")
    if name is not None and name != "" and not name.strip():
        raise ValueError("MOBILE_APP_NAME must be a name, not blank")
    return Face((name or "").strip() or DEFAULT_NAME, icon, screen)


def check_settings(config) -> None:
    """At start: the face, and the old drafts' limits (0 turns one off; drafts are flagged before
    they are erased)."""
    from_config(config)
    flag, erase = config["MOBILE_DRAFT_FLAG_DAYS"], config["MOBILE_DRAFT_ERASE_DAYS"]
    if flag < 0 or erase < 0:
        raise ValueError(f"MOBILE_DRAFT_FLAG_DAYS and MOBILE_DRAFT_ERASE_DAYS must be 0 (off) or "
                         f"more, not {flag} and {erase}")
    if flag and erase and erase <= flag:
        raise ValueError(f"MOBILE_DRAFT_ERASE_DAYS ({erase}) must be more than "
                         f"MOBILE_DRAFT_FLAG_DAYS ({flag}): a draft is flagged before it is erased")


def current() -> Face:
    return from_config(current_app.config)


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

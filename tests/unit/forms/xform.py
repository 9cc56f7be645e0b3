"""Read the committed build of the visit form the way a client would."""
from __future__ import annotations

import json
from functools import lru_cache
from xml.etree import ElementTree as ET

from server.forms.build import BUILD_DIR

XF = "{http://www.w3.org/2002/xforms}"
H = "{http://www.w3.org/1999/xhtml}"
LANGUAGES = ("English (en)", "Dari (prs)", "Pashto (ps)")


@lru_cache(maxsize=1)
def root() -> ET.Element:
    return ET.parse(BUILD_DIR / "nezarat_visit.xml").getroot()


def model() -> ET.Element:
    return root().find(f"{H}head/{XF}model")


def primary_instance() -> ET.Element:
    instance = next(i for i in model().findall(f"{XF}instance") if i.get("id") is None)
    return next(iter(instance))


def instance_paths() -> dict[str, ET.Element]:
    """Every element of the primary instance by absolute path (repeat templates included)."""
    paths = {}

    def walk(element, prefix):
        path = f"{prefix}/{element.tag.removeprefix(XF)}"
        paths[path] = element
        for child in element:
            walk(child, path)
    walk(primary_instance(), "")
    return paths


def leaf_paths() -> set[str]:
    return {path for path, element in instance_paths().items() if len(element) == 0}


def binds() -> dict[str, dict]:
    return {bind.get("nodeset"): dict(bind.attrib) for bind in model().findall(f"{XF}bind")}


def itext() -> dict[str, dict[str, str]]:
    """{language: {text id: text}}"""
    texts = {}
    for translation in model().find(f"{XF}itext"):
        texts[translation.get("lang")] = {
            text.get("id"): "".join(text.find(f"{XF}value").itertext())
            for text in translation}
    return texts


@lru_cache(maxsize=1)
def described() -> dict:
    return json.loads((BUILD_DIR / "nezarat_visit.json").read_text(encoding="utf-8"))


def questions() -> dict[str, dict]:
    """Every element of the JSON description by path, e.g. /nezarat_visit/water/soap."""
    found = {}

    def walk(element, prefix):
        for child in element.get("children", []):
            path = f"{prefix}/{child['name']}"
            found[path] = child
            walk(child, path)
    walk(described(), f"/{described()['name']}")
    return found

"""OpenRosa XML formats: safe parsing in, formList / manifest / OpenRosaResponse out."""
from __future__ import annotations

from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

from defusedxml import DefusedXmlException

from ..core.errors import BadRequest
from ..core.input_guard import (
    MAX_XML_DEPTH,
    InputRefused,
    XMLTooDeep,
    bounded_xml,
    xml_prolog_problem,
)

XFORMS_LIST = "http://openrosa.org/xforms/xformsList"
MANIFEST = "http://openrosa.org/xforms/xformsManifest"
RESPONSE = "http://openrosa.org/http/response"


def parse(data: bytes) -> ET.Element:
    """Parse untrusted XML: UTF-8 only, no DTDs, no entity expansion, no external references,
    at most MAX_XML_DEPTH elements deep."""
    problem = xml_prolog_problem(data)
    if problem:
        raise InputRefused(problem)
    try:
        return bounded_xml(data)
    except XMLTooDeep:
        raise InputRefused(f"The XML is nested more than {MAX_XML_DEPTH} elements deep.")
    except DefusedXmlException as exc:
        raise BadRequest(f"The submission XML uses forbidden constructs ({type(exc).__name__}: "
                         "DTDs and entities are not accepted).")
    except ET.ParseError as exc:
        raise BadRequest(f"The submission is not well-formed XML: {exc}.")


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def form_list(forms: list[dict]) -> str:
    items = []
    for form in forms:
        manifest = (f"\n    <manifestUrl>{escape(form['manifest_url'])}</manifestUrl>"
                    if form.get("manifest_url") else "")
        items.append(f"""  <xform>
    <formID>{escape(form['id'])}</formID>
    <name>{escape(form['name'])}</name>
    <version>{escape(form['version'])}</version>
    <hash>md5:{form['md5']}</hash>
    <downloadUrl>{escape(form['download_url'])}</downloadUrl>{manifest}
  </xform>""")
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<xforms xmlns="{XFORMS_LIST}">\n'
            + "\n".join(items) + "\n</xforms>\n")


def manifest(media: list[dict]) -> str:
    items = [f"""  <mediaFile>
    <filename>{escape(m['filename'])}</filename>
    <hash>md5:{m['md5']}</hash>
    <downloadUrl>{escape(m['download_url'])}</downloadUrl>
  </mediaFile>""" for m in media]
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<manifest xmlns="{MANIFEST}">\n'
            + "\n".join(items) + "\n</manifest>\n")


def response(message: str, nature: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<OpenRosaResponse xmlns="{RESPONSE}" '
            f'items="0">\n  <message nature={quoteattr(nature)}>{escape(message)}</message>\n'
            "</OpenRosaResponse>\n")

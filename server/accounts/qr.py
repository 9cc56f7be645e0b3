"""QR codes as SVG data URIs: an <img> the CSP allows (img-src data:), no inline script or style."""
from __future__ import annotations

import base64
import io

import qrcode
from qrcode.image.svg import SvgPathImage


def svg_data_uri(payload: str) -> str:
    image = qrcode.make(payload, image_factory=SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def terminal_text(payload: str) -> str:
    """The QR code drawn with block characters, for `flask device-token create --qr`."""
    code = qrcode.QRCode(border=2)
    code.add_data(payload)
    out = io.StringIO()
    code.print_ascii(out=out, invert=True)
    return out.getvalue()

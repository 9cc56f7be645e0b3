"""How each form's submissions are encrypted (ODK encrypted forms), per form id.

- SERVER: the form is served with the server's public key for it (server/forms/keys.py);
  Collect encrypts every finished report, so a seized phone holds none in clear; the server
  decrypts each one as it arrives, and everything downstream works on the plain report.
- SEALED: the form is served with the public key of the monitor's organisation (issue 19: its
  key holders' browsers hold the private key); the server stores the encrypted submission as
  it came and never decrypts it. Such a form is offered only to a device whose organisation
  has a sealing key, and a plain (unencrypted) submission of it is refused.
- a form not listed here is a plain form.
"""
from __future__ import annotations

SERVER = "server"
SEALED = "sealed"

ENCRYPTION: dict[str, str] = {
    "nezarat_visit": SERVER,
    "nezarat_case": SEALED,  # the protection-case form (issue 19)
}


def mode(form_id: str) -> str | None:
    return ENCRYPTION.get(form_id)

"""The submission's multipart reader: what requests/Collect send, and malformed bodies."""
import pytest
import requests

from server.core.errors import BadRequest
from server.openrosa import multipart


def encode(files) -> tuple[bytes, str]:
    prepared = requests.Request("POST", "http://127.0.0.1/", files=files).prepare()
    return prepared.body, prepared.headers["Content-Type"]


def test_reads_xml_files_and_flag_exactly():
    photo = bytes(range(256)) * 40 + b"\r\n--not-the-boundary\r\n"
    body, content_type = encode([
        ("xml_submission_file", ("submission.xml", b"<x>\xd8\xaa</x>", "text/xml")),
        ("a.jpg", ("a.jpg", photo, "image/jpeg")),
        ("*isIncomplete*", (None, "yes"))])
    parts = multipart.parse(body, content_type)
    assert parts == {"xml_submission_file": b"<x>\xd8\xaa</x>", "a.jpg": photo,
                     "*isIncomplete*": b"yes"}


@pytest.mark.parametrize("mutate,message", [
    (lambda b, ct: (b, "application/json"), "multipart/form-data"),
    (lambda b, ct: (b, "multipart/form-data"), "boundary"),
    (lambda b, ct: (b[:-20], ct), "cut short"),
    (lambda b, ct: (b.replace(b"\r\n\r\n", b"\r\n", 1), ct), "blank line"),
    (lambda b, ct: (b.replace(b"Content-Disposition", b"X-Whatever", 1), ct), "Content-Disposition"),
])
def test_malformed_bodies_are_refused_with_the_reason(mutate, message):
    body, content_type = encode([("xml_submission_file", ("s.xml", b"<x/>", "text/xml"))])
    body, content_type = mutate(body, content_type)
    with pytest.raises(BadRequest) as info:
        multipart.parse(body, content_type)
    assert message in info.value.detail


def test_a_part_named_twice_is_refused():
    body, content_type = encode([("a.jpg", ("a.jpg", b"1", "image/jpeg")),
                                 ("a.jpg", ("a.jpg", b"2", "image/jpeg"))])
    with pytest.raises(BadRequest, match="twice"):
        multipart.parse(body, content_type)

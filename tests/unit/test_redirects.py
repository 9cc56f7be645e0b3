"""The one gate for client-supplied redirect targets (`next`): same-site paths only."""
from __future__ import annotations

import pytest

from server.core.redirects import safe_next

EVIL = [
    "//evil.example", "//evil.example/x", "/\\evil.example", "\\\\evil.example", "/\\/evil.example",
    "https://evil.example/", "http:evil.example", "javascript:alert(1)", "JavaScript:alert(1)",
    "data:text/html,x", "evil.example", "./x", "",
    # control characters anywhere: browsers drop tab/CR/LF, turning "/\t/evil" into "//evil"
    "/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "\t//evil.example",
    "/ok\r\nSet-Cookie: x=1", "/ok\x00", "/ok\x7f", "/\u2028/evil.example", "/\u200b/evil",
    # backslashes anywhere (browsers read them as slashes)
    "/a\\b", "/map?x=\\",
    # percent-encoded tricks, checked after decoding
    "/%09/evil.example", "/%0d%0a/evil.example", "/%2F/evil.example", "/%2f%2fevil.example",
    "/%5Cevil.example", "/%5C%5Cevil.example", "/%252F/evil.example", "%2F%2Fevil.example",
    "/x%00", "/x?q=%0aLocation:%20//evil",
    "/" + "a" * 3000,
]


@pytest.mark.parametrize("target", EVIL)
def test_anything_but_a_same_site_path_gives_the_default(target):
    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize("target", ["/", "/map", "/map?zoom=7&x=1", "/review#item-3",
                                    "/visits?q=a%20b", "/a/b/c", "/fa/%D8%B3%D9%84%D8%A7%D9%85",
                                    "/search?next=/x"])
def test_same_site_paths_pass_unchanged(target):
    assert safe_next(target, "/home") == target


def test_no_value_and_non_strings_give_the_default():
    assert safe_next(None) == "/"
    assert safe_next(None, None) is None
    assert safe_next(["/x"], "/d") == "/d"  # type: ignore[arg-type]

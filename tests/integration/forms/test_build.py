"""The built XForm loads in JavaRosa (ODK Validate), the build is reproducible, and
`flask forms build` keeps mobile_forms/build current."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from server.forms import build

REPO = Path(build.FORMS_DIR).parent
REBUILD = ("from server.forms import build; import sys; "
           "[f] = [b for b in build.build_all() if b.form_id == 'nezarat_visit']; "
           "sys.stdout.buffer.write(f.xml.encode() + b'\\0' + f.json.encode())")


def test_the_committed_xform_passes_odk_validate():
    xml = (build.BUILD_DIR / "nezarat_visit.xml").read_text(encoding="utf-8")
    assert build.validate(xml) == []


def test_odk_validate_refuses_a_broken_form():
    xml = (build.BUILD_DIR / "nezarat_visit.xml").read_text(encoding="utf-8")
    broken = xml.replace('constraint=". &lt;= now()"', 'constraint=". &lt;= now("', 1)
    assert broken != xml
    with pytest.raises(build.FormInvalid, match="Mismatched brackets"):
        build.validate(broken)


@pytest.mark.parametrize("seed", ["0", "12345"])
def test_the_build_is_identical_in_fresh_interpreters(seed):
    env = dict(os.environ, PYTHONHASHSEED=seed)
    output = subprocess.run([sys.executable, "-c", REBUILD], cwd=REPO, env=env, check=True,
                            capture_output=True, timeout=120).stdout
    xml, json = output.split(b"\0")
    assert xml == (build.BUILD_DIR / "nezarat_visit.xml").read_bytes()
    assert json == (build.BUILD_DIR / "nezarat_visit.json").read_bytes()


def test_cli_check_passes_on_the_committed_build(runner):
    result = runner.invoke(args=["forms", "build", "--check"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_cli_writes_a_missing_build_and_check_spots_a_stale_one(runner, tmp_path, monkeypatch):
    monkeypatch.setattr(build, "BUILD_DIR", tmp_path)
    stale = runner.invoke(args=["forms", "build", "--check", "--skip-validate"])
    assert stale.exit_code == 1
    assert "out of date (nezarat_visit.xml, nezarat_visit.json" in stale.output
    written = runner.invoke(args=["forms", "build", "--skip-validate"])
    assert written.exit_code == 0, written.output
    assert (tmp_path / "nezarat_visit.xml").read_bytes() == \
        (REPO / "mobile_forms/build/nezarat_visit.xml").read_bytes()
    again = runner.invoke(args=["forms", "build", "--skip-validate"])
    assert "up to date" in again.output


def test_a_source_pyxform_refuses_is_reported(tmp_path, monkeypatch):
    source = (build.FORMS_DIR / "nezarat_visit.csv").read_text(encoding="utf-8")
    (tmp_path / "nezarat_visit.csv").write_text(
        source.replace(",integer,women,", ",integr,women,", 1), encoding="utf-8")
    with pytest.raises(build.FormInvalid, match="integr"):
        build.build_all(tmp_path)


def test_the_encrypted_visit_form_passes_odk_validate_and_is_what_pyxform_writes():
    """The form as served (with a public key) loads in JavaRosa, and the key is added exactly
    as pyxform's `public_key` setting would add it to the same source."""
    from pyxform.builder import create_survey_element_from_dict
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    from server.forms import keys
    public_b64, _, _ = keys.generate()
    served = build.with_public_key((build.BUILD_DIR / "nezarat_visit.xml").read_bytes(),
                                   public_b64)
    assert f'<submission base64RsaPublicKey="{public_b64}"/>'.encode() in served
    assert build.validate(served.decode("utf-8")) == []
    workbook = get_xlsform(build.FORMS_DIR / "nezarat_visit.csv")
    definition = workbook_to_json(workbook_dict=workbook, form_name=None,
                                  fallback_form_name=workbook.fallback_form_name,
                                  default_language=None, warnings=[])
    build._add_deprecated_id(definition)
    definition = build.for_client(definition, "collect")  # without the app-only questions
    definition["public_key"] = public_b64
    by_pyxform = create_survey_element_from_dict(definition).to_xml(
        validate=False, pretty_print=True, warnings=[])
    assert build._ends_with_newline(by_pyxform).encode("utf-8") == served


def test_a_source_that_sets_its_own_public_key_is_refused(tmp_path):
    source = (build.FORMS_DIR / "nezarat_visit.csv").read_text(encoding="utf-8")
    header = "settings,form_id,name,version,form_title,default_language"
    assert header in source
    lines = source.splitlines()
    at = lines.index(header)
    lines[at] += ",public_key"
    lines[at + 1] += ",MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAx"
    path = tmp_path / "nezarat_visit.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(build.FormInvalid, match="public_key"):
        build.build(path)

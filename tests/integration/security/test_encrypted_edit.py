"""Second pass: the ODK-encrypted door opens a report and hands it to the visits service, so an
edit (deprecatedID) of a colleague's visit sent encrypted must be refused exactly as a plain one:
the encryption proves the phone had the form's key, not whose visit it may change."""
from __future__ import annotations

from xml.etree import ElementTree as ET

from server.forms import catalog
from tests import odk_encryption as odk
from tests.integration.submissions.conftest import field  # noqa: F401 (fixture)
from tests.integration.submissions.test_edit_authority import _odk_post, _state, colleague  # noqa: F401
from tests.integration.submissions.test_openrosa_encrypted import NS, _token, post, served_key
from tests.openrosa_samples import incident_values, submission_xml, visit_values


def test_a_colleague_cannot_take_over_a_visit_with_an_encrypted_edit(
        client, session, field, colleague):  # noqa: F811
    _org, _monitor_a, facility, auth_a = field
    _, auth_b = colleague
    xml, instance = submission_xml(visit_values(facility.id), incidents=[incident_values()])
    assert _odk_post(client, auth_a, xml).status_code == 201
    visit_id = instance.removeprefix("uuid:")
    before = _state(session, visit_id)

    forged, forged_instance = submission_xml(visit_values(facility.id, women=99),
                                             deprecated_id=instance)
    form = catalog.get_form("nezarat_visit")
    token_b = _token(auth_b)
    record = odk.encrypt_submission(served_key(client, token_b), forged, form_id=form.id,
                                    version=form.version, instance_id=forged_instance)
    response = post(client, token_b, record.parts())
    assert response.status_code == 403, response.data
    assert "submitted" in ET.fromstring(response.data).find("r:message", NS).text
    assert _state(session, visit_id) == before

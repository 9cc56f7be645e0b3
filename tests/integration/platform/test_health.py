def test_healthz_reports_database_and_migrations(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["database"] == "ok"
    assert body["migrations"] == "current"


def test_anonymous_facility_list_is_refused_with_problem_json(client):
    response = client.get("/api/facilities")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 401


def test_openapi_document_is_served(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert "/api/facilities" in response.get_json()["paths"]

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


def test_api_docs_page_lists_operations_without_scripts(client):
    response = client.get("/api/docs", headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "GET /api/facilities" in page and "POST /api/submissions" in page
    assert 'src="http' not in page and 'href="http' not in page.replace(
        'href="http://localhost', "")  # nothing from another origin
    assert "schema-ReportSchema" in page or "schema-Report" in page

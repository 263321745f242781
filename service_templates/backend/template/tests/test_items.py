import uuid

import pytest

from tests.conftest import needs_database


@pytest.mark.integration
@needs_database
def test_items_are_read_from_postgres(client):
    response = client.get("/api/items")
    assert response.status_code == 200
    assert len(response.json()["items"]) >= 1  # the seeded examples


@pytest.mark.integration
@needs_database
def test_a_new_item_is_stored(client):
    name = f"item-{uuid.uuid4().hex[:8]}"
    created = client.post("/api/items", json={"name": name})
    assert created.status_code == 201
    assert created.json()["name"] == name
    names = [item["name"] for item in client.get("/api/items").json()["items"]]
    assert name in names


def test_an_empty_name_is_refused(client):
    assert client.post("/api/items", json={"name": ""}).status_code == 422

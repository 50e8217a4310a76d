"""Lists of the API page through records; a page no database can reach is refused clearly."""

import pytest

from corridor.accounts.services import issue_api_token


@pytest.mark.parametrize("query", ["offset=99999999999999999999", "offset=-1", "limit=0"])
def test_an_impossible_page_is_refused_not_a_server_error(client, world, query):
    _token, raw = issue_api_token(actor=world.users.admin, name="probe")
    response = client.get(f"/api/agencies?{query}", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 422


def test_a_large_offset_just_returns_nothing(client, world):
    _token, raw = issue_api_token(actor=world.users.admin, name="probe")
    response = client.get(
        "/api/agencies?offset=2000000", headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 200 and response.json()["items"] == []

from tests.web_client import Web, text_of


def test_leader_sees_members_on_today(web: Web, world) -> None:
    web.sign_in(world.leader.login)
    response = web.get("/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    text = text_of(response)
    assert "Building 2" in text
    assert "Resident Chen" in text

from tests.conftest import login


def test_login_page_is_indonesian_by_default(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "Masuk" in response.get_data(as_text=True)


def test_sign_in_reaches_home(client, make_user):
    user = make_user("supervisor", "POLRESTA")
    response = login(client, user.username)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert user.display_name in page
    assert "Polresta Kendari" in page

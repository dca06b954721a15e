"""Administration of users and agencies through the web interface."""

from caseapp.extensions import db
from caseapp.models import Agency, User
from tests.conftest import PASSWORD, login, step_up


def _get_user(app, username):
    with app.app_context():
        return db.session.scalar(db.select(User).where(User.username == username))


def _new_user_form(**overrides):
    data = {
        "username": "rina.uptd",
        "display_name": "Rina Wulandari",
        "email": "rina@example.org",
        "role": "case_worker",
        "agency": "UPTD_PPA",
        "active": "y",
        "password": "perahu-layar-di-teluk-kendari",
        "confirm": "perahu-layar-di-teluk-kendari",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_user_who_must_change_password(app, client, login_as):
    login_as("admin", "DP3A")
    step_up(client)
    response = client.post("/admin/users/new", data=_new_user_form(role="analyst"))
    assert response.status_code == 302
    user = _get_user(app, "rina.uptd")
    assert user.role == "analyst" and user.agency.code == "UPTD_PPA" and not user.approval_pending
    assert user.must_change_password
    other = app.test_client()
    assert (
        login(other, "rina.uptd", "perahu-layar-di-teluk-kendari").headers["Location"] == "/account/password"
    )
    listing = client.get("/admin/users?agency=UPTD_PPA").get_data(as_text=True)
    assert "Rina Wulandari" in listing


def test_weak_password_is_refused_beside_the_field_and_input_is_kept(app, client, login_as):
    login_as("admin", "DP3A")
    step_up(client)
    response = client.post(
        "/admin/users/new", data=_new_user_form(password="rina.uptd2026", confirm="rina.uptd2026")
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Terlalu mirip" in page
    assert 'value="Rina Wulandari"' in page and 'value="rina.uptd"' in page
    assert 'id="password-error"' in page
    assert "rina.uptd2026" not in page  # passwords are never echoed back
    assert _get_user(app, "rina.uptd") is None


def test_duplicate_username_is_refused(client, login_as, make_user):
    make_user(username="rina.uptd")
    login_as("admin", "DP3A")
    step_up(client)
    response = client.post("/admin/users/new", data=_new_user_form())
    assert response.status_code == 400
    assert "sudah dipakai" in response.get_data(as_text=True)


def test_admin_edits_role_and_deactivates(app, client, login_as, make_user):
    worker = make_user("case_worker", "POLRESTA")
    login_as("admin", "DP3A")
    form = client.get(f"/admin/users/{worker.id}/edit").get_data(as_text=True)
    assert worker.display_name in form
    response = client.post(
        f"/admin/users/{worker.id}/edit",
        data={
            "display_name": worker.display_name,
            "email": "",
            "role": "supervisor",
            "agency": "POLRESTA",
        },
    )  # "active" unchecked: deactivated
    assert response.status_code == 302
    changed = _get_user(app, worker.username)
    assert changed.role == "supervisor" and not changed.active
    assert login(app.test_client(), worker.username).status_code == 401


def test_admin_cannot_demote_or_deactivate_themselves(app, client, login_as):
    admin = login_as("admin", "DP3A")
    response = client.post(
        f"/admin/users/{admin.id}/edit",
        data={
            "display_name": "Me",
            "role": "case_worker",
            "agency": "DP3A",
            "active": "y",
        },
    )
    assert response.status_code == 400
    assert _get_user(app, admin.username).role == "admin"


def test_reset_password_shows_it_once_and_forces_change(app, client, login_as, make_user):
    worker = make_user()
    login_as("admin", "DP3A")
    response = client.post(f"/admin/users/{worker.id}/reset-password")
    page = response.get_data(as_text=True)
    temporary = page.split('data-testid="temporary-password">')[1].split("<")[0]
    assert len(temporary) >= 12
    assert login(app.test_client(), worker.username, PASSWORD).status_code == 401
    # The administrator saw the password: a case worker waits for their supervisor's approval again.
    assert login(app.test_client(), worker.username, temporary).status_code == 401
    boss = app.test_client()
    login(boss, make_user("supervisor", "UPTD_PPA").username)
    assert boss.post(f"/admin/approvals/{worker.id}/approve").status_code == 302
    assert login(app.test_client(), worker.username, temporary).headers["Location"] == "/account/password"
    assert client.get(f"/admin/users/{worker.id}/reset-password").status_code == 405


def test_unknown_user_is_404(client, login_as):
    login_as("admin", "DP3A")
    assert client.get("/admin/users/9999/edit").status_code == 404


def test_admin_edits_an_agency(app, client, login_as):
    login_as("admin", "DP3A")
    with app.app_context():
        agency_id = db.session.scalar(db.select(Agency.id).where(Agency.code == "LBH"))
    assert "LBH" in client.get("/admin/agencies").get_data(as_text=True)
    response = client.post(f"/admin/agencies/{agency_id}/edit", data={"name": "LBH Kendari", "active": "y"})
    assert response.status_code == 302
    with app.app_context():
        agency = db.session.get(Agency, agency_id)
        assert agency.name == "LBH Kendari" and not agency.accepts_referrals
    empty = client.post(f"/admin/agencies/{agency_id}/edit", data={"name": ""})
    assert empty.status_code == 400


def test_supervisor_cannot_reach_administration(client, login_as):
    login_as("supervisor", "DP3A")
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/users/new", data=_new_user_form()).status_code == 403

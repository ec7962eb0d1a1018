from tests.staff.conftest import sign_in


def test_officer_signs_in_with_password_and_totp_and_sees_staff_home(client, officer):
    sign_in(client, officer)
    response = client.get("/staff/")
    assert response.status_code == 200
    assert "officer.test.seoul" in response.content.decode()

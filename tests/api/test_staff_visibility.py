"""Who appears in /api/v1/staff/: what each role needs, and never the administrators."""

import pytest

from stations.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def everyone(cast, head_b):
    root = UserFactory(username="admin", role=Role.ADMINISTRATOR, unit=None, is_staff=True, is_superuser=True)
    return {**cast, "head_b": head_b, "admin": root}


def listed(api, user) -> set[int]:
    response = api(user).get("/api/v1/staff/")
    assert response.status_code == 200
    return {row["id"] for row in response.json()}


def ids(everyone, *names) -> set[int]:
    return {everyone[name].pk for name in names}


def test_a_unit_head_sees_their_units_officers(api, everyone):
    assert listed(api, everyone["head_a"]) == ids(everyone, "head_a", "officer_a")


def test_an_officer_sees_themselves_and_their_unit_head(api, everyone):
    assert listed(api, everyone["officer_a"]) == ids(everyone, "officer_a", "head_a")


def test_the_dispatcher_sees_the_units_duty_contacts(api, everyone):
    assert listed(api, everyone["dispatcher"]) == ids(everyone, "dispatcher", "head_a", "head_b")


def test_the_supervisor_sees_the_units_duty_contacts(api, everyone):
    assert listed(api, everyone["supervisor"]) == ids(everyone, "supervisor", "head_a", "head_b")


def test_a_reviewer_sees_only_themselves(api, everyone):
    assert listed(api, everyone["reviewer"]) == ids(everyone, "reviewer")


def test_an_outsider_sees_no_other_units_staff(api, everyone):
    assert listed(api, everyone["outsider"]) == ids(everyone, "outsider")


def test_administrators_are_listed_to_nobody_but_administrators(api, everyone):
    for name in ("dispatcher", "officer_a", "head_a", "reviewer", "supervisor", "outsider"):
        assert everyone["admin"].pk not in listed(api, everyone[name]), name
    assert listed(api, everyone["admin"]) == {user.pk for user in everyone.values()}


def test_staff_outside_the_role_answers_404(api, everyone):
    assert api(everyone["dispatcher"]).get(f"/api/v1/staff/{everyone['officer_a'].pk}/").status_code == 404
    assert api(everyone["head_a"]).get(f"/api/v1/staff/{everyone['officer_b'].pk}/").status_code == 404
    assert api(everyone["officer_a"]).get(f"/api/v1/staff/{everyone['admin'].pk}/").status_code == 404


def test_the_staff_list_shows_no_sign_in_names(api, everyone):
    rows = api(everyone["head_a"]).get("/api/v1/staff/").json()
    assert rows and all("username" not in row for row in rows)

"""Nothing a signed-in person was shown stays in a browser or proxy cache.

Every route of the access tests (tests/cases/test_views_access.py lists every named route
of cases and policies, and fails when one is missing), called as the user who may use it:
each response carries Cache-Control: no-store, so the back button at a shared counter
shows nothing after sign-out.
"""

import pytest
from django.urls import reverse

from tests.cases import test_views_access as access
from tests.cases.test_views_access import PRIVATE, _call, _prepare

pytestmark = pytest.mark.django_db

# The access tests' world (a case and customer in each team, a policy), fixture by fixture.
world = access.world
other_case = access.other_case
other_customer = access.other_customer
policy = access.policy


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize("route", PRIVATE, ids=str)
def test_every_signed_in_page_and_action_is_not_stored(route, world, signed_in, request):
    user = request.getfixturevalue(route.insider)
    _prepare(route, world)
    response = _call(signed_in(user), route, world, user)
    assert response.status_code < 500
    assert no_store(response), f"{route}: {response.get('Cache-Control')!r}"


def test_csv_exports_are_not_stored(world, signed_in):
    response = signed_in(world.manager).get(reverse("insights_export", args=["cost_to_serve"]))
    assert response["Content-Type"].startswith("text/csv")
    assert no_store(response)


def test_the_admin_and_signing_in_and_out_are_not_stored(world, signed_in, client):
    admin = signed_in(world.admin_user)
    assert no_store(admin.get(reverse("admin:index")))
    assert no_store(admin.get(reverse("admin:cases_case_changelist")))
    assert no_store(admin.get(reverse("health")))
    assert no_store(admin.post(reverse("logout")))
    signing_in = client.post(
        reverse("login"), {"username": "staff", "password": "correct-horse-battery"}
    )
    assert signing_in.status_code == 302 and no_store(signing_in)


def test_an_htmx_fragment_is_not_stored(world, signed_in):
    response = signed_in(world.staff).get(
        reverse("customer_list"), {"q": "Dana"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and no_store(response)


def test_anonymous_pages_and_static_files_stay_cacheable(client, db):
    # (The sign-in page itself is never cached: Django's LoginView says so on its own.)
    assert not no_store(client.get(reverse("health")))
    static = client.get("/static/css/casedesk.css")
    assert static.status_code == 200
    assert not no_store(static)


def test_a_signed_in_not_found_is_not_stored_either(world, signed_in):
    response = signed_in(world.other_team_staff).get(world.case.get_absolute_url())
    assert response.status_code == 404 and no_store(response)


def test_every_part_of_the_site_is_walked_here():
    """cases and policies are walked route by route above (their list is complete, see
    test_views_access); the rest of the site is named here, so that a new part (an API)
    fails this test until its signed-in responses are checked too."""
    from casedesk import urls

    parts = {str(pattern.pattern) for pattern in urls.urlpatterns}
    walked = {"accounts/login/", "accounts/logout/", "admin/", "health/", "policies/", ""}
    walked |= {"privacy/"}  # every route: tests/privacy/test_privacy_views.py
    # The API: every endpoint's answer is checked in tests/api/test_access.py (its list of
    # endpoints is complete too), and below for the schema, docs and errors. The profile
    # page is a route of the access tests above.
    walked |= {"api/", "profile/"}
    walked |= {"attachments/"}  # test_attachment_downloads_and_removal_are_not_stored
    walked |= {"webhooks/"}  # every route: tests/webhooks/test_views.py
    walked |= {"i18n/"}  # set_language: test_switching_language_is_not_stored_when_signed_in
    assert parts == walked


def test_switching_language_is_not_stored_when_signed_in(world, signed_in):
    response = signed_in(world.staff).post(reverse("set_language"), {"language": "pl", "next": "/"})
    assert response.status_code == 302 and no_store(response)


def test_api_answers_are_not_stored_even_when_refused_or_anonymous(world, client):
    for url in ("/api/v1/cases/", "/api/v1/no-such-thing/", "/api/schema/", "/api/docs/"):
        assert no_store(client.get(url)), url


def test_attachment_downloads_and_removal_are_not_stored(world, signed_in, attachment_store):
    from attachments import services as attachment_services
    from cases import services as case_services
    from tests.attachment_fixtures import image_bytes, upload

    interaction = case_services.log_interaction(
        world.case,
        by=world.staff,
        channel="phone",
        direction="inbound",
        summary="Photo of the receipt",
        demeanour="calm",
    )
    (photo,) = attachment_services.add_attachments(
        by=world.staff,
        case=world.case,
        interaction=interaction,
        files=[upload("receipt.png", image_bytes("PNG"))],
    )
    staff = signed_in(world.staff)
    for name in ("attachment_download", "attachment_thumbnail"):
        response = staff.get(reverse(name, args=[photo.pk]))
        assert response.status_code == 200 and no_store(response), name
    removal = staff.post(
        reverse("attachment_remove", args=[photo.pk]), {f"a{photo.pk}-reason": "Wrong photo"}
    )
    assert removal.status_code == 302 and no_store(removal)

"""The admins' webhook pages: who may see them, registering (secret shown once), editing,
rotating, the delivery log and "send again"."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, reverse

from cases import services
from webhooks import services as webhook_services
from webhooks import urls as webhook_urls
from webhooks.models import Delivery, DeliveryState, Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(admin_user):
    endpoint, _ = webhook_services.register_endpoint(
        by=admin_user, url="https://till.example.com/hooks", event_types=["case.assigned"]
    )
    return endpoint


@pytest.fixture
def delivery(case, endpoint, staff, colleague):
    services.reassign_case(case, by=staff, assignee=colleague)
    row = Delivery.objects.get()
    Delivery.objects.filter(pk=row.pk).update(
        state=DeliveryState.FAILED, attempts=3, last_response_code=503, last_error="HTTP 503: busy"
    )
    return row


def routes(endpoint, delivery):
    return [
        ("get", reverse("webhook_endpoints")),
        ("get", reverse("webhook_endpoint_create")),
        ("get", reverse("webhook_endpoint", args=[endpoint.pk])),
        ("post", reverse("webhook_endpoint_rotate", args=[endpoint.pk])),
        ("post", reverse("webhook_endpoint_send_failed_again", args=[endpoint.pk])),
        ("post", reverse("webhook_delivery_send_again", args=[delivery.pk])),
    ]


def test_every_webhook_route_is_in_the_access_tests():
    named = {p.name for p in webhook_urls.urlpatterns if isinstance(p, URLPattern)}
    tested = {
        "webhook_endpoints",
        "webhook_endpoint_create",
        "webhook_endpoint",
        "webhook_endpoint_rotate",
        "webhook_endpoint_send_failed_again",
        "webhook_delivery_send_again",
    }
    assert named == tested


@pytest.mark.parametrize("role", ["staff", "manager", "other_team_staff"])
def test_anyone_but_an_admin_gets_403_and_changes_nothing(
    role, request, signed_in, endpoint, delivery
):
    client = signed_in(request.getfixturevalue(role))
    secret = Endpoint.objects.get().secret
    for method, url in routes(endpoint, delivery):
        assert getattr(client, method)(url).status_code == 403, url
    assert Endpoint.objects.get().secret == secret
    assert Delivery.objects.get().state == DeliveryState.FAILED


@pytest.mark.parametrize("method", ["patch", "delete", "put"])
def test_the_pages_answer_only_get_head_and_their_form_post(
    method, signed_in, admin_user, endpoint
):
    """The list only reads (POST too is 405); the two form pages take GET, HEAD and POST."""
    client = signed_in(admin_user)
    before = Endpoint.objects.values().get()
    pages = [
        reverse("webhook_endpoints"),
        reverse("webhook_endpoint_create"),
        reverse("webhook_endpoint", args=[endpoint.pk]),
    ]
    for url in pages:
        response = getattr(client, method)(url)
        assert response.status_code == 405, url
        assert "GET" in response["Allow"] and "HEAD" in response["Allow"], url
        assert client.head(url).status_code == 200, url
    assert client.post(pages[0]).status_code == 405
    assert Endpoint.objects.values().get() == before


def test_anonymous_visitors_are_sent_to_sign_in(client, endpoint, delivery):
    for method, url in routes(endpoint, delivery):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unknown_ids_are_404_for_an_admin(signed_in, admin_user):
    client = signed_in(admin_user)
    assert client.get(reverse("webhook_endpoint", args=[999])).status_code == 404
    url = reverse("webhook_delivery_send_again", args=[999])
    assert client.post(url).status_code == 404
    assert client.get(reverse("webhook_endpoint", args=[1]) + "?before=²").status_code == 404


def test_registering_shows_the_secret_once(signed_in, admin_user):
    client = signed_in(admin_user)
    response = client.post(
        reverse("webhook_endpoint_create"),
        {
            "url": "https://shop.example.com/casedesk",
            "description": "Web shop",
            "event_types": ["case.created", "exception.decided"],
            "active": "on",
        },
    )
    assert response.status_code == 200
    endpoint = Endpoint.objects.get()
    assert endpoint.secret in response.content.decode()
    assert "will not show it again" in response.content.decode()
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    )
    assert endpoint.event_types == ["case.created", "exception.decided"]
    for page in ("webhook_endpoints", "webhook_endpoint"):
        args = [endpoint.pk] if page == "webhook_endpoint" else []
        assert endpoint.secret not in client.get(reverse(page, args=args)).content.decode()


def test_bad_input_is_explained_next_to_the_field_and_kept(signed_in, admin_user):
    client = signed_in(admin_user)
    response = client.post(
        reverse("webhook_endpoint_create"),
        {"url": "ftp://shop.example.com/x", "description": "Kept description", "active": "on"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Use an http:// or https:// address." in page
    assert "Choose at least one event type." in page
    assert "ftp://shop.example.com/x" in page and "Kept description" in page
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize("junk", ["x" * 600, "https://", "http://exa mple.com/", "\x00"])
def test_junk_urls_are_refused_without_a_5xx(signed_in, admin_user, junk):
    response = signed_in(admin_user).post(
        reverse("webhook_endpoint_create"), {"url": junk, "event_types": ["case.created"]}
    )
    assert response.status_code == 200 and not Endpoint.objects.exists()


def test_editing_changes_url_types_and_switch(signed_in, admin_user, endpoint):
    client = signed_in(admin_user)
    response = client.post(
        reverse("webhook_endpoint", args=[endpoint.pk]),
        {"url": "https://till2.example.com/hooks", "event_types": ["task.overdue"]},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.url == "https://till2.example.com/hooks"
    assert endpoint.event_types == ["task.overdue"] and not endpoint.active


def test_switching_a_disabled_endpoint_back_on_clears_its_failure(signed_in, admin_user, endpoint):
    from django.utils import timezone

    Endpoint.objects.filter(pk=endpoint.pk).update(
        active=False,
        failing_since=timezone.now(),
        disabled_at=timezone.now(),
        disabled_reason="Every delivery failed",
    )
    signed_in(admin_user).post(
        reverse("webhook_endpoint", args=[endpoint.pk]),
        {"url": endpoint.url, "event_types": ["case.assigned"], "active": "on"},
    )
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.failing_since is None and endpoint.disabled_reason == ""


def test_rotating_shows_the_new_secret_once_and_keeps_the_old_for_a_while(
    signed_in, admin_user, endpoint
):
    old = endpoint.secret
    response = signed_in(admin_user).post(reverse("webhook_endpoint_rotate", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    assert endpoint.secret in response.content.decode()
    assert old not in response.content.decode()


def test_the_delivery_log_shows_status_code_attempts_and_sends_again(
    signed_in, admin_user, endpoint, delivery
):
    client = signed_in(admin_user)
    page = client.get(reverse("webhook_endpoint", args=[endpoint.pk])).content.decode()
    assert delivery.event_id in page and "HTTP 503" in page and "3 tries" in page
    assert "Send again" in page
    response = client.post(reverse("webhook_delivery_send_again", args=[delivery.pk]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING and delivery.attempts == 0
    # Twice: the second finds it already waiting and says so.
    response = client.post(reverse("webhook_delivery_send_again", args=[delivery.pk]), follow=True)
    assert "already waiting" in response.content.decode()


def test_send_all_failed_again(signed_in, admin_user, endpoint, delivery):
    signed_in(admin_user).post(reverse("webhook_endpoint_send_failed_again", args=[endpoint.pk]))
    assert Delivery.objects.get().state == DeliveryState.PENDING


def test_the_log_pages_by_id_with_a_fixed_number_of_queries(
    signed_in, admin_user, endpoint, django_assert_max_num_queries
):
    from django.utils import timezone

    def add(n: int) -> None:
        Delivery.objects.bulk_create(
            Delivery(
                endpoint=endpoint,
                event_id=f"msg_bulk{Delivery.objects.count() + i}",
                event_type="case.assigned",
                body="{}",
                next_attempt_at=timezone.now(),
            )
            for i in range(n)
        )

    client = signed_in(admin_user)
    add(5)
    with django_assert_max_num_queries(8):
        client.get(reverse("webhook_endpoint", args=[endpoint.pk]))
    add(120)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("webhook_endpoint", args=[endpoint.pk])).content.decode()
    assert page.count('class="list-group-item small delivery-row"') == 50
    assert "Older deliveries" in page


def test_no_webhook_page_or_action_is_stored(signed_in, admin_user, endpoint, delivery):
    """Signed-in responses carry Cache-Control: no-store (tests/test_no_store.py names this
    part of the site as walked here)."""
    client = signed_in(admin_user)
    for method, url in routes(endpoint, delivery):
        response = getattr(client, method)(url)
        assert response.status_code < 500
        assert "no-store" in response.get("Cache-Control", ""), url

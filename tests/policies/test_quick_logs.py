"""Quick logs: admins keep them (through the service, in the Django admin too); on a case
page each fills the interaction form, placeholders filled from the case."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.urls import reverse

from cases import services
from policies.defaults import QUICK_LOGS
from policies.models import QuickLog
from policies.quick_logs import QuickLogError, fill, save_quick_log

pytestmark = pytest.mark.django_db

REFUND: dict[str, Any] = {
    "label": "Refund at the till",
    "channel": "in_person",
    "minutes": 4,
    "summary": "Refunded {customer} at the till ({agent}, {reference}, {policy}).",
    "demeanour": "calm",
    "order": 1,
    "active": True,
}


def test_a_fresh_install_has_the_default_quick_logs():
    labels = set(QuickLog.objects.values_list("label", flat=True))
    assert {"Explained the returns policy", "Refund processed at the till"} <= labels
    assert "Called back, no answer" in labels
    assert len(labels) >= len(QUICK_LOGS)


def test_admin_saves_a_quick_log(admin_user):
    saved = save_quick_log(by=admin_user, **REFUND)
    assert QuickLog.objects.get(pk=saved.pk).summary == REFUND["summary"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"channel": "pigeon"}, "channel"),
        ({"demeanour": "grumpy"}, "demeanour"),
        ({"minutes": 2000}, "minutes"),
        ({"summary": "Hello {custmer}"}, "summary"),
        ({"summary": "  "}, "summary"),
        ({"label": ""}, "label"),
    ],
)
def test_what_the_form_could_not_take_is_refused_by_field(admin_user, change, field):
    with pytest.raises(QuickLogError) as refused:
        save_quick_log(by=admin_user, **{**REFUND, **change})
    assert refused.value.field == field
    assert not QuickLog.objects.filter(label=REFUND["label"]).exists()


def test_only_admins_keep_quick_logs(manager):
    with pytest.raises(QuickLogError):
        save_quick_log(by=manager, **REFUND)


def test_a_placeholder_without_a_value_and_stray_braces_stay_as_typed():
    assert fill("Hi {customer}, {policy} {", {"customer": "Dana"}) == "Hi Dana, {policy} {"


def test_django_admin_adds_through_the_service_and_says_what_is_wrong(client, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:policies_quicklog_add")
    bad = client.post(url, {**REFUND, "summary": "Hello {nobody}"})
    assert bad.status_code == 200
    assert "Unknown placeholder {nobody}" in html.unescape(bad.content.decode())
    good = client.post(url, REFUND)
    assert good.status_code == 302
    assert QuickLog.objects.filter(label=REFUND["label"]).exists()
    # Switched off, not deleted: deleting is not offered.
    quick = QuickLog.objects.get(label=REFUND["label"])
    delete = client.get(reverse("admin:policies_quicklog_delete", args=[quick.pk]))
    assert delete.status_code == 403


# On the case page ---------------------------------------------------------------------


def test_case_page_offers_quick_logs_filled_from_the_case(signed_in, staff, case):
    QuickLog.objects.all().delete()
    quick = QuickLog.objects.create(**REFUND)
    QuickLog.objects.create(**{**REFUND, "label": "Switched off", "active": False})
    page = signed_in(staff).get(case.get_absolute_url()).content.decode()
    filled = f"Refunded Dana Whitfield at the till (Sam, {case.reference}, our policy)."
    assert f'data-summary="{filled}"' in page
    assert f'href="{case.get_absolute_url()}?quick={quick.pk}#interaction-panel"' in page
    assert "Switched off" not in page


def test_without_js_the_link_renders_the_form_filled(signed_in, staff, case):
    QuickLog.objects.all().delete()
    quick = QuickLog.objects.create(**{**REFUND, "channel": "phone", "demeanour": "angry"})
    page = signed_in(staff).get(f"{case.get_absolute_url()}?quick={quick.pk}").content.decode()
    form = page[page.index('id="interaction-form"') :]
    assert "Refunded Dana Whitfield at the till" in form[: form.index("</textarea>")]
    assert 'name="minutes" value="4"' in form
    assert '<option value="phone" selected>' in form
    assert '<option value="angry" selected>' in form


def test_an_unknown_or_bad_quick_id_leaves_the_form_as_usual(signed_in, staff, case):
    client = signed_in(staff)
    for value in ["999999", "abc", "", "1e9"]:
        response = client.get(f"{case.get_absolute_url()}?quick={value}")
        assert response.status_code == 200


def test_a_closed_case_offers_no_quick_logs(signed_in, staff, manager, case):
    services.resolve_case(case, by=staff, outcome="compromise", summary="credit")
    services.bulk_close(by=manager, case_ids=[case.pk])
    page = signed_in(staff).get(case.get_absolute_url()).content.decode()
    assert "data-quick-log" not in page


def test_another_team_cannot_use_the_link(signed_in, other_team_staff, case):
    quick = QuickLog.objects.first()
    response = signed_in(other_team_staff).get(f"{case.get_absolute_url()}?quick={quick.pk}")
    assert response.status_code == 404


def test_an_edit_shows_on_the_next_case_page_despite_the_cache(signed_in, staff, admin_user, case):
    client = signed_in(staff)
    quick = QuickLog.objects.get(label="Called back, no answer")
    assert "Called back, no answer" in client.get(case.get_absolute_url()).content.decode()
    save_quick_log(by=admin_user, quick_log=quick, label="Rang back, voicemail")
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Rang back, voicemail" in page and "Called back, no answer" not in page

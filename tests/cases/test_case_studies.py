"""The coaching library: managers mark resolved cases as worked examples, staff browse
them, new cases link to the ones like them, and the resolve form's "what would you do
differently" note reaches the manager."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from cases import services
from cases.models import Case, CaseStudy, Status, StudyKind
from policies.models import Demeanour
from tests.factories import CategoryFactory, CustomerFactory

pytestmark = pytest.mark.django_db

WRITE_UP = "Listened first, then offered the repair slot the customer wanted."


def html_of(response: Any) -> str:
    return response.content.decode()


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html_of(response))).strip()


def study_url(case: Case) -> str:
    return reverse("case_mark_study", args=[case.reference])


def resolved(case: Case, by) -> Case:
    services.resolve_case(case, by=by, outcome="compromise", summary="Store credit agreed")
    case.refresh_from_db()
    return case


def a_case(team, customer, category, *, by, demeanour=Demeanour.ANGRY, subject="Broken hob"):
    return services.open_case(
        by=by,
        customer=customer,
        team=team,
        subject=subject,
        category=category,
        channel="phone",
        demeanour=demeanour,
    )


def a_study(case: Case, by, *, title="Calming an angry caller", kind=StudyKind.WENT_WELL):
    if case.status not in {Status.RESOLVED, Status.CLOSED}:
        resolved(case, by)
    return services.mark_case_study(case, by=by, kind=kind, title=title, write_up=WRITE_UP)


POST = {"kind": StudyKind.WENT_WELL, "title": "Calming an angry caller", "write_up": WRITE_UP}


# Marking a case study ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "heading"),
    [
        (StudyKind.WENT_WELL, "Case study: went well"),
        (StudyKind.LESSON, "Case study: lesson learned"),
    ],
)
def test_a_manager_marks_a_resolved_case_as_a_study_from_the_case_page(
    signed_in, manager, staff, case, category, kind, heading
):
    services.update_triage(case, by=staff, demeanour=Demeanour.ANGRY)
    resolved(case, staff)
    client = signed_in(manager)
    page = html_of(client.get(case.get_absolute_url()))
    assert "Mark as a case study" in page
    assert f'action="{study_url(case)}"' in page

    response = client.post(study_url(case), {**POST, "kind": kind}, follow=True)
    assert response.redirect_chain == [(case.get_absolute_url(), 302)]
    study = CaseStudy.objects.get()
    assert (study.case, study.kind, study.title, study.write_up, study.created_by) == (
        case,
        kind,
        "Calming an angry caller",
        WRITE_UP,
        manager,
    )
    # Demeanour and category are copied from the case for browsing.
    assert (study.demeanour, study.category) == (Demeanour.ANGRY, category)
    text = text_of(response)
    assert "Saved to the coaching library." in text
    assert heading in text and WRITE_UP in text
    assert "Mark as a case study" not in text


def test_a_closed_case_can_be_marked_too(signed_in, manager, staff, case):
    resolved(case, staff)
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    response = signed_in(manager).post(study_url(case), POST)
    assert response.status_code == 302
    assert CaseStudy.objects.filter(case=case).exists()


def test_staff_cannot_mark_a_case_study(signed_in, staff, case):
    resolved(case, staff)
    client = signed_in(staff)
    assert "Mark as a case study" not in html_of(client.get(case.get_absolute_url()))
    assert client.post(study_url(case), POST).status_code == 403
    assert not CaseStudy.objects.exists()


def test_another_teams_manager_cannot_mark_our_case(signed_in, other_team_manager, staff, case):
    resolved(case, staff)
    assert signed_in(other_team_manager).post(study_url(case), POST).status_code == 404
    assert not CaseStudy.objects.exists()


def test_an_active_case_cannot_be_marked(signed_in, manager, case):
    client = signed_in(manager)
    assert "Mark as a case study" not in html_of(client.get(case.get_absolute_url()))
    response = client.post(study_url(case), POST, follow=True)
    assert response.redirect_chain == [(case.get_absolute_url(), 302)]
    assert "Only a resolved case can become a case study." in text_of(response)
    assert not CaseStudy.objects.exists()


def test_marking_a_case_twice_is_refused(signed_in, manager, staff, case):
    first = a_study(case, manager, title="First write-up")
    response = signed_in(manager).post(
        study_url(case), {**POST, "title": "Second write-up"}, follow=True
    )
    assert "This case is already a case study." in text_of(response)
    assert list(CaseStudy.objects.values_list("pk", "title")) == [(first.pk, "First write-up")]


@pytest.mark.parametrize(
    ("field", "data"),
    [
        ("title", {**POST, "title": ""}),
        ("write_up", {**POST, "write_up": "   "}),
        ("kind", {**POST, "kind": "brilliant"}),
    ],
)
def test_an_incomplete_study_is_shown_again_with_what_was_typed(
    signed_in, manager, staff, case, field, data
):
    resolved(case, staff)
    response = signed_in(manager).post(study_url(case), data)
    assert response.status_code == 400
    assert response.context["study_form"].errors.keys() == {field}
    assert not CaseStudy.objects.exists()
    if field != "write_up":
        assert WRITE_UP in html_of(response)


# Browsing the library ----------------------------------------------------------------------


@pytest.fixture
def library(team, staff, manager, customer, category):
    """Three studies of Downtown store: angry/refund, calm/refund and angry/late."""
    late = CategoryFactory(name="Late delivery", slug="late-delivery")
    made = {}
    for key, demeanour, cat in (
        ("angry_refund", Demeanour.ANGRY, category),
        ("calm_refund", Demeanour.CALM, category),
        ("angry_late", Demeanour.ANGRY, late),
    ):
        case = a_case(team, customer, cat, by=staff, demeanour=demeanour, subject=key)
        made[key] = a_study(case, manager, title=f"Study {key}")
    made["late"] = late
    return made


def listed(response: Any) -> list[str]:
    return re.findall(r'<h2 id="study-\d+"[^>]*><a [^>]*>(Study [a-z_]+)</a>', html_of(response))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Study angry_late", "Study calm_refund", "Study angry_refund"]),
        ({"demeanour": "angry"}, ["Study angry_late", "Study angry_refund"]),
        ({"category": "refund"}, ["Study calm_refund", "Study angry_refund"]),
        ({"demeanour": "angry", "category": "refund"}, ["Study angry_refund"]),
        ({"demeanour": "abusive"}, []),
    ],
    ids=["all", "angry", "refund", "angry-refund", "none"],
)
def test_staff_browse_studies_by_demeanour_and_category(
    signed_in, staff, category, library, params, expected
):
    if params.get("category") == "refund":
        params = {**params, "category": category.pk}
    response = signed_in(staff).get(reverse("study_list"), params)
    assert response.status_code == 200
    assert listed(response) == expected
    if not expected:
        assert "No case studies match." in text_of(response)
    html = html_of(response)
    # The filters stay in the URL and show as chosen.
    if "demeanour" in params:
        assert f'<option value="{params["demeanour"]}" selected>' in html
    if "category" in params:
        assert f'<option value="{params["category"]}" selected>' in html


def test_a_study_card_links_to_its_case_and_says_what_it_is(signed_in, staff, library):
    study = library["angry_refund"]
    response = signed_in(staff).get(reverse("study_list"), {"demeanour": "angry"})
    text = text_of(response)
    assert f'<a href="{study.case.get_absolute_url()}">Study angry_refund</a>' in html_of(response)
    assert f"Refund dispute · Angry · {study.case.reference} · by Mo Manager" in text
    assert "Went well" in text


@pytest.mark.parametrize(
    "params",
    [
        {"demeanour": "furious"},
        {"category": "abc"},
        {"category": "999999"},
        {"category": "1 OR 1=1"},
        {"category": "99999999999999999999"},
        {"category": "\x00"},
        {"demeanour": "angry\x00"},
        {"page": "abc", "per_page": "-5"},
        {"page": "99999999999999999999"},
    ],
)
def test_bogus_filters_do_not_500(signed_in, staff, library, params):
    response = signed_in(staff).get(reverse("study_list"), params)
    assert response.status_code == 200


def test_another_teams_studies_are_not_listed(
    signed_in,
    staff,
    admin_user,
    other_team,
    other_team_staff,
    other_team_manager,
    category,
    library,
):
    theirs_customer = CustomerFactory(team=other_team, created_by=other_team_staff)
    theirs = a_case(other_team, theirs_customer, category, by=other_team_staff)
    a_study(theirs, other_team_manager, title="Study airport_only")
    assert "Study airport_only" not in listed(signed_in(staff).get(reverse("study_list")))
    assert listed(signed_in(other_team_staff).get(reverse("study_list"))) == ["Study airport_only"]
    assert "Study airport_only" in listed(signed_in(admin_user).get(reverse("study_list")))


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("study_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Worked examples on a new case -------------------------------------------------------------


def matching_section(response: Any) -> str:
    found = re.search(r'<section id="matching-studies".*?</section>', html_of(response), re.S)
    return found.group(0) if found else ""


def test_a_new_case_like_a_study_links_to_it(signed_in, staff, team, customer, category, library):
    new = a_case(team, customer, category, by=staff, demeanour=Demeanour.ANGRY)
    assert new.status == Status.NEW
    section = matching_section(signed_in(staff).get(new.get_absolute_url()))
    assert "Worked examples like this case" in section
    study = library["angry_refund"]
    assert f'<a href="{study.case.get_absolute_url()}">Study angry_refund</a>' in section
    # Only the one with the same category and demeanour.
    assert "Study calm_refund" not in section and "Study angry_late" not in section


def test_a_case_with_another_demeanour_does_not_link_to_the_study(
    signed_in, staff, manager, team, customer, category
):
    study_case = a_case(team, customer, category, by=staff, demeanour=Demeanour.ANGRY)
    a_study(study_case, manager)
    new = a_case(team, customer, category, by=staff, demeanour=Demeanour.INDECISIVE)
    response = signed_in(staff).get(new.get_absolute_url())
    assert matching_section(response) == ""
    assert "Worked examples like this case" not in html_of(response)


def test_a_case_of_another_category_does_not_link_to_the_study(
    signed_in, staff, manager, team, customer, category
):
    a_study(a_case(team, customer, category, by=staff), manager)
    other = CategoryFactory(name="Late delivery", slug="late-delivery")
    new = a_case(team, customer, other, by=staff)
    assert matching_section(signed_in(staff).get(new.get_absolute_url())) == ""


def test_the_link_appears_once_the_demeanour_matches(
    signed_in, staff, manager, team, customer, category
):
    a_study(a_case(team, customer, category, by=staff, demeanour=Demeanour.ANGRY), manager)
    new = a_case(team, customer, category, by=staff, demeanour=Demeanour.CALM)
    client = signed_in(staff)
    assert matching_section(client.get(new.get_absolute_url())) == ""
    services.update_triage(new, by=staff, demeanour=Demeanour.ANGRY)
    assert "Calming an angry caller" in matching_section(client.get(new.get_absolute_url()))


def test_another_teams_study_is_not_offered_on_our_case(
    signed_in, staff, team, customer, category, other_team, other_team_staff, other_team_manager
):
    theirs_customer = CustomerFactory(team=other_team, created_by=other_team_staff)
    a_study(a_case(other_team, theirs_customer, category, by=other_team_staff), other_team_manager)
    new = a_case(team, customer, category, by=staff)
    assert matching_section(signed_in(staff).get(new.get_absolute_url())) == ""


# What would you do differently ---------------------------------------------------------------


def resolve_by_form(client, case, **extra):
    return client.post(
        reverse("case_resolve", args=[case.reference]),
        {"outcome": "compromise", "summary": "Store credit agreed", **extra},
    )


def test_the_resolve_form_offers_the_reflection_note(signed_in, staff, case):
    html = html_of(signed_in(staff).get(case.get_absolute_url()))
    assert "What would you do differently? (optional, for coaching)" in html
    assert 'name="reflection"' in html


def test_the_reflection_is_stored_on_the_case_and_shown_to_the_manager(
    signed_in, staff, manager, case
):
    note = "  I would have offered the callback sooner.\n<b>Not</b> argued about the fee.  "
    response = resolve_by_form(signed_in(staff), case, reflection=note)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.RESOLVED
    assert case.reflection == note.strip()

    response = signed_in(manager).get(case.get_absolute_url())
    card = re.search(r'<section id="case-study".*?</section>', html_of(response), re.S).group(0)
    assert "Coaching library" in card
    assert "What Sam Staff would do differently:" in card
    assert "I would have offered the callback sooner.<br>&lt;b&gt;Not&lt;/b&gt; argued" in card


def test_resolving_without_a_reflection_is_fine_and_shows_none(signed_in, staff, manager, case):
    assert resolve_by_form(signed_in(staff), case).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.reflection) == (Status.RESOLVED, "")
    assert "would do differently" not in html_of(signed_in(manager).get(case.get_absolute_url()))


def test_a_reflection_of_more_than_4000_characters_is_refused(signed_in, staff, case):
    response = resolve_by_form(signed_in(staff), case, reflection="x" * 4001)
    assert response.status_code == 400
    case.refresh_from_db()
    assert (case.status, case.reflection) == (Status.NEW, "")


def test_the_reflection_reaches_the_study_written_from_it(signed_in, staff, manager, case):
    resolve_by_form(signed_in(staff), case, reflection="Should have listened first.")
    client = signed_in(manager)
    client.post(study_url(case), {**POST, "kind": StudyKind.LESSON})
    study = CaseStudy.objects.get(case=case)
    assert (study.kind, study.case.reflection) == (StudyKind.LESSON, "Should have listened first.")


# Two managers at once ------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_managers_marking_the_same_case_at_once_make_one_study_and_a_message(
    staff, manager, admin_user, customer, category
):
    """A double-clicked "Save case study" must not end in a 500: the loser is told, like
    the one who marks a case that is already a study."""
    from tests.threads import race

    for round_ in range(10):
        case = a_case(customer.team, customer, category, by=staff, subject=f"Race {round_}")
        resolved(case, staff)

        def mark(user, pk=case.pk):
            return lambda: services.mark_case_study(
                Case.objects.get(pk=pk), by=user, kind="went_well", title=str(user), write_up="x"
            )

        results = race(mark(manager), mark(admin_user))
        errors = [r for r in results if isinstance(r, Exception)]
        assert len(errors) == 1 and isinstance(errors[0], services.CaseError), results
        assert CaseStudy.objects.filter(case=case).count() == 1

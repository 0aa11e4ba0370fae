"""The approvals queue shows the oldest page of requests and says how many wait in all
(its query count at 3 and 28 waiting: test_exception_views.py)."""

import pytest
from django.urls import reverse

from cases.selectors import APPROVALS_SHOWN
from tests.exception_fixtures import ask
from tests.factories import CaseFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def waiting_requests(n, *, staff, team, category, allowed):
    """n requests above staff's discretion and within a manager's, oldest first, each for
    its own customer (one customer's would add up past the manager's limit)."""
    requests = []
    for _ in range(n):
        customer = CustomerFactory(team=team, created_by=staff)
        case = CaseFactory(team=team, customer=customer, created_by=staff, category=category)
        requests.append(ask(case, staff, allowed, "80.00"))
    return requests


def queue_page(client):
    response = client.get(reverse("approvals"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_long_queue_shows_the_oldest_page_and_counts_the_rest(
    signed_in, staff, manager, team, category, allowed
):
    client = signed_in(manager)
    requests = waiting_requests(
        APPROVALS_SHOWN, staff=staff, team=team, category=category, allowed=allowed
    )
    page = queue_page(client)
    assert page.count('class="card mb-3" id="queue-') == APPROVALS_SHOWN
    assert 'id="queue-more"' not in page  # everything waiting is on the page

    requests += waiting_requests(
        60 - APPROVALS_SHOWN, staff=staff, team=team, category=category, allowed=allowed
    )
    page = queue_page(client)
    assert page.count('class="card mb-3" id="queue-') == APPROVALS_SHOWN
    assert f'id="queue-{requests[0].pk}"' in page  # the oldest first
    assert f'id="queue-{requests[APPROVALS_SHOWN].pk}"' not in page
    assert '<span class="badge text-bg-secondary">60</span>' in page
    assert f"Showing the oldest {APPROVALS_SHOWN} of 60." in page

    # Deciding the oldest brings the next one up.
    decided = requests[0]
    response = client.post(
        reverse("request_decide", args=[decided.pk]),
        {
            f"r{decided.pk}-decision": "approve",
            f"r{decided.pk}-reason": "Fine",
            "next": "approvals",
        },
    )
    assert response.status_code == 302
    page = queue_page(client)
    assert f'id="queue-{decided.pk}"' not in page
    assert f'id="queue-{requests[APPROVALS_SHOWN].pk}"' in page
    assert f"Showing the oldest {APPROVALS_SHOWN} of 59." in page


def test_each_request_gets_the_form_it_would_have_on_its_own(
    signed_in, staff, manager, team, category, allowed
):
    """One blank form is rendered and copied with each request's prefix; each copy is the
    form rendered for that request alone. A refused decision comes back with its error and
    what was typed, the other forms still blank."""
    from decimal import Decimal

    from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form

    from cases.forms import DecisionForm

    client = signed_in(manager)
    first, second = waiting_requests(2, staff=staff, team=team, category=category, allowed=allowed)
    page = queue_page(client)
    for item in (first, second):
        alone = as_crispy_form(DecisionForm(request_value=item.value, prefix=f"r{item.pk}"))
        assert alone in page
        assert f'name="r{item.pk}-decision"' in alone

    response = client.post(
        reverse("request_decide", args=[second.pk]),
        {
            f"r{second.pk}-decision": "counter",
            f"r{second.pk}-counter_value": "500",
            f"r{second.pk}-reason": "Half is fair",
            "next": "approvals",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"A counter-offer must be less than {Decimal('80.00')}" in page
    assert 'value="500"' in page and "Half is fair</textarea>" in page
    assert as_crispy_form(DecisionForm(request_value=first.value, prefix=f"r{first.pk}")) in page


def test_the_kept_blank_form_is_in_the_deciders_language(
    signed_in, staff, manager, team, category, allowed
):
    """The blank form is rendered once per language and kept: a Polish manager after an
    English one gets Polish labels, and the English page stays English."""
    client = signed_in(manager)
    waiting_requests(1, staff=staff, team=team, category=category, allowed=allowed)
    assert "Deny" in queue_page(client)
    manager.language = "pl"
    manager.save(update_fields=["language"])
    polish = queue_page(client)
    assert "Odrzuć" in polish and "Decyzja" in polish
    manager.language = "en"
    manager.save(update_fields=["language"])
    english = queue_page(client)
    assert "Odrzuć" not in english and "Deny" in english

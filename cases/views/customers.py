"""Customer list, profile, create and edit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_safe

from privacy.access import record_view

from .. import selectors, services
from ..access import get_customer_for
from ..forms import (
    CustomerForm,
)
from ..http import AuthedRequest
from ..models import Customer
from ..pagination import paginate
from ..phones import PhoneSearch
from .common import without_page


@login_required
@require_safe
def customer_list(request: AuthedRequest) -> HttpResponse:
    query = selectors.search_text(request)
    customers = Customer.objects.visible_to(request.user).select_related("team")
    if query:
        matching = Q(name__icontains=query) | Q(email_normalised__startswith=query.lower())
        phone = PhoneSearch(query)
        if phone:  # however the number is typed, or its last digits
            matching |= phone.q()
        customers = customers.filter(matching)
    page = paginate(
        customers.order_by("name", "id"),
        page=request.GET.get("page"),
        per_page=request.GET.get("per_page"),
    )
    template = "cases/_customer_rows.html" if request.htmx else "cases/customer_list.html"
    context = {"page": page, "query": query, "query_string": without_page(request)}
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def customer_create(request: AuthedRequest) -> HttpResponse:
    form = CustomerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        customer = services.create_customer(
            by=request.user,
            team=data["team"],
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            preferred_channel=data["preferred_channel"],
            preferred_language=data["preferred_language"],
            preferences=data["preferences"],
            flags=data["flags"],
            flags_reason=data["flags_reason"],
        )
        messages.success(request, gettext("Customer %(name)s saved.") % {"name": customer})
        return redirect(customer)
    return render(request, "cases/customer_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    customer = get_customer_for(request.user, pk)
    if customer.is_erased:
        messages.error(
            request, gettext("This customer's personal data was erased: it cannot be edited.")
        )
        return redirect(customer)
    form = CustomerForm(request.POST or None, instance=customer, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {name: data[name] for name in form.Meta.fields if name in data and name != "team"}
        try:
            services.update_customer(
                customer, by=request.user, flags_reason=data["flags_reason"], **fields
            )
        except services.CaseError as error:  # erased meanwhile, or a rule the form missed
            form.add_error(None, str(error))
        else:
            messages.success(request, gettext("Customer details saved."))
            return redirect(customer)
    return render(
        request, "cases/customer_form.html", {"form": form, "customer": customer, "creating": False}
    )


@login_required
@require_safe
def customer_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    customer = get_customer_for(request.user, pk)
    record_view(request, customer)
    profile = selectors.customer_profile(request.user, customer)
    return render(request, "cases/customer_detail.html", {"profile": profile, "customer": customer})

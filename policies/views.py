"""The policy library: everyone browses and searches; admins create and edit, and every
edit leaves a version behind."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_safe

from casedesk import languages
from cases.http import AuthedRequest
from cases.models import Role
from cases.selectors import search_text

from . import services, texts
from .forms import AllowedExceptionForm, GuidanceForm, PolicyForm
from .models import AllowedException, DemeanourGuidance, Policy, PolicyCategory


def _require_admin(request: AuthedRequest) -> None:
    if request.user.role != Role.ADMIN:
        raise PermissionDenied(gettext("Only admins edit the policy library."))


def _policy(code: str, *, admin: bool) -> Policy:
    """Admins reach inactive policies too; everyone else sees the ones in force."""
    qs = Policy.objects.all() if admin else Policy.objects.filter(active=True)
    return get_object_or_404(qs, code=code)


@login_required
@require_safe
def policy_list(request: AuthedRequest) -> HttpResponse:
    query = search_text(request)
    category = request.GET.get("category", "")
    is_admin = request.user.role == Role.ADMIN
    policies = Policy.objects.all() if is_admin else Policy.objects.filter(active=True)
    if query:
        policies = policies.filter(
            Q(title__icontains=query)
            | Q(code__icontains=query)
            | Q(customer_wording__icontains=query)
            | Q(allowed_exceptions__name__icontains=query)
        ).distinct()
    if category in PolicyCategory.values:
        policies = policies.filter(category=category)
    policies = policies.select_related("current_version").prefetch_related(
        Prefetch(
            "allowed_exceptions",
            queryset=AllowedException.objects.filter(active=True).order_by("name"),
            to_attr="offered",
        )
    )
    return render(
        request,
        "policies/policy_list.html",
        {
            "policies": policies.order_by("title"),
            "query": query,
            "category": category,
            "categories": PolicyCategory.choices,
        },
    )


def mark_what_changed(versions: list[Any]) -> None:
    """Newest first: say of each version whether the customer-facing wording changed from
    the one before, or only the allowed exceptions and limits (the history reads "wording
    unchanged", so nobody re-reads the wording to a customer for nothing)."""
    for newer, older in zip(versions, versions[1:], strict=False):
        newer.wording_changed = (newer.title, newer.customer_wording) != (
            older.title,
            older.customer_wording,
        )
        newer.exceptions_changed = newer.exceptions != older.exceptions
    if versions:
        versions[-1].wording_changed = True
        versions[-1].exceptions_changed = False


@login_required
@require_safe
def policy_detail(request: AuthedRequest, code: str) -> HttpResponse:
    is_admin = request.user.role == Role.ADMIN
    policy = _policy(code, admin=is_admin)
    exceptions = policy.allowed_exceptions.order_by("-active", "name")
    if not is_admin:
        exceptions = exceptions.filter(active=True)
    versions = list(policy.versions.select_related("created_by").order_by("-number"))
    mark_what_changed(versions)
    return render(
        request,
        "policies/policy_detail.html",
        {"policy": policy, "exceptions": exceptions, "versions": versions},
    )


@login_required
@require_safe
def policy_version(request: AuthedRequest, code: str, number: int) -> HttpResponse:
    """One past version exactly as it read, with the exceptions and limits it had."""
    policy = _policy(code, admin=request.user.role == Role.ADMIN)
    version = get_object_or_404(policy.versions.select_related("created_by"), number=number)
    return render(request, "policies/policy_version.html", {"policy": policy, "version": version})


@login_required
@require_http_methods(["GET", "POST"])
def policy_create(request: AuthedRequest) -> HttpResponse:
    _require_admin(request)
    form = PolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            policy = services.create_policy(
                by=request.user, **{k: v for k, v in data.items() if k != "change_note"}
            )
        except services.PolicyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                gettext("Policy %(code)s created. Now add its exceptions.") % {"code": policy.code},
            )
            return redirect(policy)
    return render(request, "policies/policy_form.html", {"form": form, "policy": None})


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request: AuthedRequest, code: str) -> HttpResponse:
    _require_admin(request)
    policy = _policy(code, admin=True)
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        note = data.pop("change_note", "")
        data.pop("code", None)
        try:
            version = services.revise_policy(
                Policy.objects.get(pk=policy.pk), by=request.user, note=note, **data
            )
        except services.PolicyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, gettext("Saved as version %(number)d.") % {"number": version.number}
            )
            return redirect(policy)
    return render(request, "policies/policy_form.html", {"form": form, "policy": policy})


@login_required
@require_http_methods(["GET", "POST"])
def exception_edit(request: AuthedRequest, code: str, pk: int | None = None) -> HttpResponse:
    _require_admin(request)
    policy = _policy(code, admin=True)
    allowed = get_object_or_404(policy.allowed_exceptions, pk=pk) if pk else None
    form = AllowedExceptionForm(
        request.POST or None, instance=allowed or AllowedException(policy=policy)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_allowed_exception(
                policy, by=request.user, allowed=allowed, **form.cleaned_data
            )
        except services.PolicyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, gettext("Exception saved; the policy has a new version."))
            return redirect(policy)
    return render(
        request,
        "policies/exception_form.html",
        {"form": form, "policy": policy, "allowed": allowed},
    )


@login_required
@require_safe
def guidance_list(request: AuthedRequest) -> HttpResponse:
    """Each demeanour's card in the viewer's language (else its default version); admins
    also see which languages have a version of their own."""
    versions: dict[str, dict[str, DemeanourGuidance]] = {}
    for row in DemeanourGuidance.objects.order_by("id"):
        versions.setdefault(row.demeanour, {})[row.language] = row
    language = translation.get_language()
    cards = []
    for by_language in versions.values():
        card = languages.pick(by_language.values(), language, key=lambda row: row.language)
        if card is None:
            continue
        card.translations = [  # type: ignore[attr-defined]
            (code, name, code in by_language) for code, name in _translatable_languages()
        ]
        cards.append(card)
    # For admins: how many cards each language still lacks a version of.
    missing = [
        (name, sum(code not in by_language for by_language in versions.values()))
        for code, name in _translatable_languages()
    ]
    context = {"cards": cards, "untranslated": [(name, n) for name, n in missing if n]}
    return render(request, "policies/guidance_list.html", context)


def _translatable_languages() -> list[tuple[str, str]]:
    """The languages a card can have a version in: the default version is the default
    language's."""
    return [(code, name) for code, name in languages.choices() if code != settings.LANGUAGE_CODE]


@login_required
@require_http_methods(["GET", "POST"])
def guidance_edit(request: AuthedRequest, demeanour: str, language: str = "") -> HttpResponse:
    """The default version (no language), or one language's version, which starts as a
    copy of the default for the translator to rewrite."""
    _require_admin(request)
    if language and language not in dict(_translatable_languages()):
        raise Http404(gettext("No such language."))
    default = get_object_or_404(
        DemeanourGuidance, demeanour=demeanour, language=languages.DEFAULT_VERSION
    )
    card = default if not language else texts.guidance_versions(demeanour).get(language)
    initial = {name: getattr(default, name) for name in texts.GUIDANCE_FIELDS}
    form = GuidanceForm(request.POST or None, instance=card, initial=None if card else initial)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in texts.GUIDANCE_FIELDS}
        try:
            texts.save_guidance(demeanour=demeanour, language=language, **fields)
        except texts.TextError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _guidance_saved(default, language))
            return redirect("guidance_list")
    context = {"form": form, "card": default, "language": dict(languages.choices()).get(language)}
    return render(request, "policies/guidance_form.html", context)


def _guidance_saved(card: DemeanourGuidance, language: str) -> str:
    values = {"demeanour": card.get_demeanour_display(), "language": language}
    if not language:
        return gettext("Guidance for %(demeanour)s saved.") % values
    values["language"] = dict(languages.choices())[language]
    # Translators: e.g. "Guidance for Angry (Polski) saved."
    return gettext("Guidance for %(demeanour)s (%(language)s) saved.") % values

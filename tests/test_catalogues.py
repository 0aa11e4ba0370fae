"""The translation catalogues: compiled in pure Python (no GNU gettext to run or test), and
a check that fails when the source has a string the catalogues lack, or a shipped
language has one untranslated, fuzzy or with the wrong placeholders."""

from __future__ import annotations

import gettext
import os
import shutil
from pathlib import Path

import polib
import pytest

from casedesk import catalogues

PLURAL_PL = catalogues.PLURAL_FORMS["pl"]


def catalogue(*entries: polib.POEntry, plural_forms: str = PLURAL_PL) -> polib.POFile:
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": plural_forms}
    for entry in entries:
        po.append(entry)
    return po


def entry(msgid: str, msgstr: str = "", **fields) -> polib.POEntry:
    return polib.POEntry(msgid=msgid, msgstr=msgstr, **fields)


# Compiling -------------------------------------------------------------------------------------


def test_a_catalogue_compiles_with_plurals_and_contexts_and_without_fuzzy_entries(tmp_path):
    po = catalogue(
        entry("Save", "Zapisz"),
        entry("Open", "Otwarta", msgctxt="case status"),
        entry("Open", "Otwórz", msgctxt="action"),
        entry("Guessed", "Zgadnięte", flags=["fuzzy"]),
        entry("Not yet"),
        polib.POEntry(
            msgid="%(n)s case",
            msgid_plural="%(n)s cases",
            msgstr_plural={0: "%(n)s sprawa", 1: "%(n)s sprawy", 2: "%(n)s spraw"},
        ),
    )
    folder = tmp_path / "pl" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po.save(str(folder / "django.po"))

    assert catalogues.compile_catalogues(tmp_path) == [folder / "django.mo"]
    with (folder / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    assert compiled.gettext("Save") == "Zapisz"
    assert compiled.pgettext("case status", "Open") == "Otwarta"
    assert compiled.pgettext("action", "Open") == "Otwórz"
    assert compiled.gettext("Guessed") == "Guessed"  # a fuzzy guess never reaches a reader
    assert compiled.gettext("Not yet") == "Not yet"
    forms = [compiled.ngettext("%(n)s case", "%(n)s cases", n) for n in (1, 2, 5, 22, 25)]
    assert forms == ["%(n)s sprawa", "%(n)s sprawy", "%(n)s spraw", "%(n)s sprawy", "%(n)s spraw"]


def test_only_a_changed_catalogue_is_compiled_again(tmp_path):
    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "django.po"
    catalogue(entry("Save", "Guardar"), plural_forms=catalogues.PLURAL_FORMS["es"]).save(str(po))
    assert catalogues.compile_catalogues(tmp_path) != []
    assert catalogues.compile_catalogues(tmp_path) == []  # nothing changed since
    later = (folder / "django.mo").stat().st_mtime + 10
    os.utime(po, (later, later))
    assert catalogues.compile_catalogues(tmp_path) == [folder / "django.mo"]
    assert catalogues.compile_catalogues(tmp_path, force=True) == [folder / "django.mo"]


def test_a_new_catalogue_s_template_header_is_filled_in(tmp_path):
    """What makemessages writes for a new language: a fuzzy template header, CLDR's plural
    rule (four Polish forms) and dates that would change on every run."""
    po = catalogue(entry("Save", "Zapisz"), plural_forms="nplurals=4; plural=(n==1 ? 0 : 3);")
    po.metadata_is_fuzzy = True
    po.metadata.update({"POT-Creation-Date": "2026-11-30 10:47+0000", "Language": ""})
    path = tmp_path / "django.po"
    po.save(str(path))
    catalogues.tidy_header(path, "pl")
    tidy = polib.pofile(str(path))
    assert not tidy.metadata_is_fuzzy and "POT-Creation-Date" not in tidy.metadata
    assert tidy.metadata["Language"] == "pl" and tidy.metadata["Plural-Forms"] == PLURAL_PL
    assert [(e.msgid, e.msgstr) for e in tidy] == [("Save", "Zapisz")]


# Checking one catalogue ------------------------------------------------------------------------


def test_a_complete_catalogue_has_no_problems():
    fresh = catalogue(entry("Save"), entry("Case %(ref)s", "Sprawa %(ref)s"))
    committed = catalogue(entry("Save", "Zapisz"), entry("Case %(ref)s", "Sprawa %(ref)s"))
    assert catalogues.catalogue_problems(fresh, committed) == []


def test_a_string_makemessages_would_add_or_drop_is_a_problem():
    fresh = catalogue(entry("Save"), entry("New words"))
    committed = catalogue(entry("Save", "Zapisz"), entry("Old words", "Stare słowa"))
    assert catalogues.catalogue_problems(fresh, committed) == [
        "'New words' is in the source, not in the catalogue",
        "'Old words' is no longer in the source",
    ]


def test_the_same_words_in_another_context_are_another_string():
    fresh = catalogue(entry("Open", msgctxt="case status"), entry("Open", msgctxt="action"))
    committed = catalogue(entry("Open", "Otwarta", msgctxt="case status"))
    assert catalogues.catalogue_problems(fresh, committed) == [
        "'Open' (context 'action') is in the source, not in the catalogue"
    ]


@pytest.mark.parametrize(
    ("committed_entry", "problem"),
    [
        (entry("Save"), "'Save' is not translated"),
        (entry("Save", "Zapisz", flags=["fuzzy"]), "'Save' is marked fuzzy"),
        (
            polib.POEntry(
                msgid="%(n)s case",
                msgid_plural="%(n)s cases",
                msgstr_plural={0: "%(n)s sprawa", 1: "%(n)s sprawy", 2: ""},
            ),
            "'%(n)s case' is not translated",
        ),
        (entry("Save", "Zapisz %(name)s"), "the translation uses ['name'], not in the source"),
        (entry("Hello %(name)s", "Cześć"), "the translation leaves out ['name']"),
    ],
)
def test_an_entry_a_reader_would_see_wrong_is_a_problem(committed_entry, problem):
    fresh = catalogue(
        polib.POEntry(msgid=committed_entry.msgid, msgid_plural=committed_entry.msgid_plural)
    )
    problems = catalogues.catalogue_problems(fresh, catalogue(committed_entry))
    assert len(problems) == 1 and problem in problems[0]


def test_a_polish_singular_may_leave_the_number_out():
    """ "Jedna sprawa" for 1 is good Polish: only a placeholder the source lacks is wrong."""
    plural = polib.POEntry(
        msgid="%(n)s case",
        msgid_plural="%(n)s cases",
        msgstr_plural={0: "Jedna sprawa", 1: "%(n)s sprawy", 2: "%(n)s spraw"},
    )
    assert catalogues.entry_problems(plural) == []


def test_a_catalogue_without_plural_forms_or_with_leftovers_is_a_problem():
    committed = catalogue(
        entry("Save", "Zapisz"), plural_forms="nplurals=INTEGER; plural=EXPRESSION;"
    )
    committed.metadata_is_fuzzy = True
    committed.append(entry("Gone", "Nie ma", obsolete=True))
    problems = catalogues.catalogue_problems(catalogue(entry("Save")), committed)
    assert problems == [
        "the header is marked fuzzy",
        "obsolete (#~) entries are left in the catalogue",
        'the header has no Plural-Forms (see the README\'s "Languages")',
    ]


# The check on the source tree (makemessages needs GNU gettext's xgettext) --------------------


@pytest.fixture
def xgettext():
    if shutil.which("xgettext") is None:
        if os.environ.get("CASEDESK_REQUIRE_SERVICES") == "1":
            pytest.fail("GNU gettext is required under CI (.ci/run installs it)")
        pytest.skip("needs GNU gettext (apt-get install gettext)")


def test_the_shipped_catalogues_match_the_source_and_are_complete(xgettext):
    assert catalogues.check() == []


def test_the_check_fails_for_a_new_string_nobody_translated(xgettext, tmp_path):
    tree = tmp_path / "tree"
    catalogues.copy_sources(catalogues.ROOT, tree)
    login = tree / "templates" / "registration" / "login.html"
    login.write_text(
        login.read_text().replace(
            "{% block content %}",
            '{% block content %}{% load i18n %}{% translate "Brand-new words" %}',
            1,
        )
    )
    problems = catalogues.check(root=tree)
    assert [problem for problem in problems if "in the source, not in" in problem] == [
        f"{Path('locale', locale, 'LC_MESSAGES', 'django.po')}: 'Brand-new words' is in the "
        "source, not in the catalogue"
        for locale in catalogues.shipped_locales()
    ]

"""Each language remembers its answer per message (casedesk/fast_gettext.py): the same
words as Django's own lookup, per language, and a change of catalogues is seen."""

from __future__ import annotations

from django.test import override_settings
from django.utils import translation
from django.utils.translation import trans_real

from casedesk import fast_gettext
from casedesk.fast_gettext import MemoTranslation
from cases.models import Case


def test_every_language_answers_as_its_catalogue_says_however_often_it_is_asked():
    for _ in range(3):
        with translation.override("pl"):
            assert translation.gettext("Cases") == "Sprawy"
            assert translation.pgettext("case status", "New") == "Nowa"
        with translation.override("en-gb"):
            assert translation.gettext("Cases") == "Cases"
            assert translation.pgettext("case status", "New") == "New"


def test_choice_labels_follow_the_active_language_after_being_remembered():
    case = Case(status="new")
    with translation.override("pl"):
        assert case.get_status_display() == "Nowa"
    with translation.override("en-gb"):
        assert case.get_status_display() == "New"
    with translation.override("pl"):
        assert case.get_status_display() == "Nowa"


def test_the_lookup_is_remembered_per_language():
    polish = trans_real.translation("pl")
    assert isinstance(polish, MemoTranslation)
    with translation.override("pl"):
        translation.gettext("Cases")
    assert polish._memo["Cases"] == "Sprawy"


def test_new_catalogues_build_new_translations_with_nothing_remembered(tmp_path):
    with translation.override("pl"):
        translation.gettext("Cases")
        Case(status="new").get_status_display()
    assert fast_gettext._LABELS
    with override_settings(LOCALE_PATHS=[str(tmp_path)]):
        fresh = trans_real.translation("pl")
        assert isinstance(fresh, MemoTranslation)
        assert "Cases" not in fresh._memo
        assert not fast_gettext._LABELS  # choice labels are read afresh too


def test_every_models_choice_labels_read_as_djangos_own_in_every_language():
    from django.apps import apps
    from django.db.models import Model

    checked = 0
    for model in apps.get_models():
        for field in model._meta.local_fields:
            if field.choices is None:
                continue
            for value in [*(value for value, _ in field.flatchoices), "not-a-choice"]:
                instance = model(**{field.attname: value})
                for language in ("en-gb", "pl", "es"):
                    with translation.override(language):
                        mine = getattr(instance, f"get_{field.name}_display")()
                        djangos = Model._get_FIELD_display(instance, field)
                    assert mine == djangos, (model, field.name, value, language)
                    checked += 1
    assert checked > 100  # the models' choices were all reached


def test_a_lazy_label_from_the_cache_still_follows_the_reader_language():
    import pickle

    from django.utils.translation import gettext_lazy

    stored = pickle.dumps({"label": gettext_lazy("Cases")})
    for _ in range(2):
        label = pickle.loads(stored)["label"]
        with translation.override("pl"):
            assert str(label) == "Sprawy"
        with translation.override("en-gb"):
            assert str(label) == "Cases"

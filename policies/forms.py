from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from .models import DemeanourGuidance


class GuidanceForm(forms.ModelForm):
    class Meta:
        model = DemeanourGuidance
        fields = ["headline", "listen", "de_escalate", "boundaries", "escalate"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ["listen", "de_escalate", "boundaries", "escalate"]
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Save guidance"))

"""Forms for customers, cases and interactions, a module per concept. Each form carries
its crispy FormHelper. Everything is re-exported here, so `from cases.forms import
CaseForm` keeps working."""

from .cases import (
    AttachPolicyForm,
    CaseForm,
    ReassignForm,
    ReopenForm,
    ResolveForm,
    TriageForm,
)
from .common import (
    DATETIME_LOCAL,
    ObjectChoiceField,
    TeamChoiceMixin,
    policies_in_force,
    team_members,
)
from .customers import CustomerForm, find_duplicates
from .exceptions import OFF_POLICY, DecisionForm, ExceptionRequestForm
from .feedback import FeedbackForm
from .followups import CompleteTaskForm, RescheduleTaskForm, TaskForm
from .insights import InsightsForm
from .interactions import InteractionForm
from .studies import CaseStudyForm, StudyFilterForm

__all__ = [
    "DATETIME_LOCAL",
    "OFF_POLICY",
    "AttachPolicyForm",
    "CaseForm",
    "CaseStudyForm",
    "CompleteTaskForm",
    "CustomerForm",
    "DecisionForm",
    "ExceptionRequestForm",
    "FeedbackForm",
    "InsightsForm",
    "InteractionForm",
    "ObjectChoiceField",
    "ReassignForm",
    "ReopenForm",
    "RescheduleTaskForm",
    "ResolveForm",
    "StudyFilterForm",
    "TaskForm",
    "TeamChoiceMixin",
    "TriageForm",
    "find_duplicates",
    "policies_in_force",
    "team_members",
]

"""/api/v1/ (the resources), /api/schema/ and the docs."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from .views import cases, customers, docs, insights, interactions, policies, requests, tasks

CASE = r"cases/(?P<reference>[A-Za-z0-9-]{1,20})"

router = SimpleRouter(trailing_slash=True)
router.register("customers", customers.CustomerViewSet, basename="api-customer")
router.register("cases", cases.CaseViewSet, basename="api-case")
router.register(f"{CASE}/interactions", interactions.InteractionViewSet, basename="api-interaction")
router.register(
    f"{CASE}/exception-requests", requests.CaseRequestViewSet, basename="api-case-request"
)
router.register(f"{CASE}/tasks", tasks.CaseTaskViewSet, basename="api-case-task")
router.register(
    "exception-requests", requests.ExceptionRequestViewSet, basename="api-exception-request"
)
router.register("tasks", tasks.TaskViewSet, basename="api-task")
router.register("policies", policies.PolicyViewSet, basename="api-policy")
router.register("insights", insights.InsightsViewSet, basename="api-insights")

urlpatterns = [
    path("v1/", include(router.urls)),
    *docs.urlpatterns,
]

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import permissions, services
from cases.access import get_case_for, get_task_for
from cases.models import FollowUpTask, Role, TaskStatus

from ..serializers import tasks as s
from .base import WRITE_ERRORS, ApiViewSet, errors, require

TASK_EXAMPLE = OpenApiExample(
    "Task",
    value={
        "id": 310,
        "case": "CD-000123",
        "title": "Call back when the door arrives",
        "kind": "call_back",
        "assignee": {"id": 7, "name": "Sam Staff", "username": "sam"},
        "due_at": "2026-11-05T16:00:00Z",
        "status": "open",
        "outcome_note": "",
        "created_at": "2026-11-02T10:20:00Z",
        "completed_at": None,
    },
    response_only=True,
)


def _task_action(summary: str, request: Any, example: dict[str, Any]) -> Any:
    return extend_schema(
        summary=summary,
        request=request,
        responses={200: s.TaskSerializer, **errors(*WRITE_ERRORS)},
        examples=[OpenApiExample(summary, value=example, request_only=True), TASK_EXAMPLE],
    )


class CaseTaskViewSet(ApiViewSet):
    serializer_class = s.TaskSerializer

    @extend_schema(
        summary="Add a follow-up task to a case (its reminders are scheduled)",
        request=s.TaskCreateSerializer,
        responses={201: s.TaskSerializer, **errors(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "Call back",
                value={
                    "title": "Call back when the door arrives",
                    "kind": "call_back",
                    "assignee": 7,
                    "due_at": "2026-11-05T16:00:00Z",
                },
                request_only=True,
            ),
            TASK_EXAMPLE,
        ],
    )
    def create(self, request: Request, reference: str) -> Response:
        case = get_case_for(request.user, reference)

        def run() -> Response:
            task = services.add_task(case, by=request.user, **self.valid(s.TaskCreateSerializer))
            return Response(s.TaskSerializer(task).data, status=status.HTTP_201_CREATED)

        return self.write(request, run)


class TaskViewSet(ApiViewSet):
    """Follow-up tasks: yours, or (managers) your teams', by due time."""

    serializer_class = s.TaskSerializer
    ordering = "due_at"
    lookup_value_regex = r"[0-9]{1,18}"

    @extend_schema(
        summary="My tasks, or my teams' (managers)",
        parameters=[
            OpenApiParameter("scope", str, enum=["mine", "team"], description="Default: mine."),
            OpenApiParameter("status", str, enum=TaskStatus.values, description="Default: open."),
        ],
        responses={200: s.TaskSerializer(many=True), **errors(400, 403)},
        examples=[TASK_EXAMPLE],
    )
    def list(self, request: Request) -> Response:
        scope = request.query_params.get("scope", "mine")
        state = request.query_params.get("status", TaskStatus.OPEN)
        if scope not in {"mine", "team"}:
            raise exceptions.ValidationError(
                {
                    # Translators: "mine" and "team" are values of the API's scope parameter.
                    "scope": [_("Choose mine or team.")]
                }
            )
        if state not in TaskStatus.values:
            raise exceptions.ValidationError(
                {
                    # Translators: open, done and cancelled are values of the API's status
                    # parameter: keep them as they are.
                    "status": [_("Choose open, done or cancelled.")]
                }
            )
        tasks = FollowUpTask.objects.visible_to(request.user).filter(status=state)
        if scope == "mine":
            tasks = tasks.filter(assignee=request.user)
        else:
            require(
                request,
                permissions.can_see_team_tasks,
                _("Team tasks are for managers and admins."),
            )
            if request.user.role != Role.ADMIN:
                tasks = tasks.filter(case__team_id__in=request.user.team_ids())
        page = self.paginate_queryset(tasks.select_related("case", "assignee"))
        return self.get_paginated_response(s.TaskSerializer(page, many=True).data)

    @extend_schema(
        summary="A task", responses={200: s.TaskSerializer, **errors(404)}, examples=[TASK_EXAMPLE]
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(s.TaskSerializer(get_task_for(request.user, int(pk))).data)

    def _change(self, request: Request, pk: str, serializer: Any, change: Any) -> Response:
        task = get_task_for(request.user, int(pk))

        def run() -> Response:
            return Response(s.TaskSerializer(change(task, self.valid(serializer))).data)

        return self.write(request, run)

    @_task_action("Mark done", s.CompleteSerializer, {"outcome_note": "Door fitted; happy"})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        return self._change(
            request,
            pk,
            s.CompleteSerializer,
            lambda task, data: services.complete_task(task, by=request.user, **data),
        )

    @_task_action("Cancel", s.CancelSerializer, {"reason": "Customer collected in store"})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        return self._change(
            request,
            pk,
            s.CancelSerializer,
            lambda task, data: services.cancel_task(task, by=request.user, **data),
        )

    @_task_action(
        "Move (and optionally hand over)",
        s.RescheduleSerializer,
        {"due_at": "2026-11-06T09:00:00Z"},
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, pk: str) -> Response:
        return self._change(
            request,
            pk,
            s.RescheduleSerializer,
            lambda task, data: services.reschedule_task(task, by=request.user, **data),
        )

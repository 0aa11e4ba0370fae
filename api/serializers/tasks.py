from __future__ import annotations

from rest_framework import serializers

from cases.models import FollowUpTask, TaskKind

from .common import DueTimeField, MemberField, PersonRef, Text, choice


class TaskSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.reference", read_only=True)
    assignee = PersonRef(read_only=True)

    class Meta:
        model = FollowUpTask
        fields = [
            "id",
            "case",
            "title",
            "kind",
            "assignee",
            "due_at",
            "status",
            "outcome_note",
            "created_at",
            "completed_at",
        ]
        read_only_fields = fields


class TaskCreateSerializer(serializers.Serializer):
    title = Text(max_length=200)
    kind = choice(TaskKind.choices)
    assignee = MemberField(help_text="A member of the case's team.")
    due_at = DueTimeField()


class CompleteSerializer(serializers.Serializer):
    outcome_note = Text(max_length=2000, help_text="What came of it.")


class CancelSerializer(serializers.Serializer):
    reason = Text(max_length=500, required=False, allow_blank=True, default="")


class RescheduleSerializer(serializers.Serializer):
    due_at = DueTimeField()
    assignee = MemberField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Hand the task to another member of the case's team.",
    )

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/new/", views.customer_create, name="customer_create"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/edit/", views.customer_edit, name="customer_edit"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<str:reference>/", views.case_detail, name="case_detail"),
    path(
        "cases/<str:reference>/interactions/",
        views.case_log_interaction,
        name="case_log_interaction",
    ),
    path("cases/<str:reference>/reassign/", views.case_reassign, name="case_reassign"),
    path("cases/<str:reference>/triage/", views.case_triage, name="case_triage"),
    path("cases/<str:reference>/resolve/", views.case_resolve, name="case_resolve"),
    path("cases/<str:reference>/reopen/", views.case_reopen, name="case_reopen"),
    path("cases/<str:reference>/policies/", views.case_attach_policy, name="case_attach_policy"),
    path(
        "cases/<str:reference>/exceptions/",
        views.case_request_exception,
        name="case_request_exception",
    ),
    path("cases/<str:reference>/tasks/", views.case_add_task, name="case_add_task"),
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("tasks/team/", views.team_tasks, name="team_tasks"),
    path("tasks/<int:pk>/complete/", views.task_complete, name="task_complete"),
    path("tasks/<int:pk>/cancel/", views.task_cancel, name="task_cancel"),
    path("tasks/<int:pk>/reschedule/", views.task_reschedule, name="task_reschedule"),
    path("feedback/<str:token>/", views.feedback, name="feedback"),
    path("cases/<str:reference>/study/", views.case_mark_study, name="case_mark_study"),
    path("studies/", views.study_list, name="study_list"),
    path("approvals/", views.approvals, name="approvals"),
    path("insights/", views.insights_page, name="insights"),
    path("insights/export/<slug:table>.csv", views.insights_export, name="insights_export"),
    path("requests/<int:pk>/decide/", views.request_decide, name="request_decide"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request_withdraw"),
]

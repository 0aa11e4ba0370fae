from django.urls import path

from . import views

urlpatterns = [
    path("", views.policy_list, name="policy_list"),
    path("new/", views.policy_create, name="policy_create"),
    path("guidance/", views.guidance_list, name="guidance_list"),
    path("guidance/<str:demeanour>/edit/", views.guidance_edit, name="guidance_edit"),
    path(
        "guidance/<str:demeanour>/edit/<str:language>/",
        views.guidance_edit,
        name="guidance_edit_language",
    ),
    path("<slug:code>/", views.policy_detail, name="policy_detail"),
    path("<slug:code>/edit/", views.policy_edit, name="policy_edit"),
    path("<slug:code>/versions/<int:number>/", views.policy_version, name="policy_version"),
    path("<slug:code>/exceptions/new/", views.exception_edit, name="exception_create"),
    path("<slug:code>/exceptions/<int:pk>/edit/", views.exception_edit, name="exception_edit"),
]

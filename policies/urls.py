from django.urls import path

from . import views

urlpatterns = [
    path("guidance/", views.guidance_list, name="guidance_list"),
    path("guidance/<str:demeanour>/edit/", views.guidance_edit, name="guidance_edit"),
]

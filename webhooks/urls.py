from django.urls import path

from . import views

urlpatterns = [
    path("", views.endpoint_list, name="webhook_endpoints"),
    path("new/", views.endpoint_create, name="webhook_endpoint_create"),
    path("<int:pk>/", views.endpoint_detail, name="webhook_endpoint"),
    path("<int:pk>/rotate/", views.endpoint_rotate, name="webhook_endpoint_rotate"),
    path(
        "<int:pk>/send-failed-again/",
        views.endpoint_send_failed_again,
        name="webhook_endpoint_send_failed_again",
    ),
    path(
        "deliveries/<int:pk>/send-again/",
        views.delivery_send_again,
        name="webhook_delivery_send_again",
    ),
]

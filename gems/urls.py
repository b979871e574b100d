from django.urls import path

from gems import views

urlpatterns = [
    path("gem/balance/", views.GemBalanceApi.as_view(), name="gem-balance"),
    path("gem/charge/", views.GemChargeApi.as_view(), name="gem-charge"),
]

from django.urls import path

from matching import views

urlpatterns = [
    path("match/settings/", views.MatchSettingsApi.as_view(), name="match-settings"),
    path("match/random/", views.RandomMatchApi.as_view(), name="match-random"),
    path("match/decision/", views.MatchDecisionApi.as_view(), name="match-decision"),
    path("match/cancel/", views.MatchCancelApi.as_view(), name="match-cancel"),
]

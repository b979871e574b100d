from django.urls import path

from ratings.views import CallHistoryRecentApi, RatingSubmitApi

urlpatterns = [
    path("history/recent/", CallHistoryRecentApi.as_view(), name="history-recent"),
    path("history/rate/", RatingSubmitApi.as_view(), name="history-rate"),
]

from django.urls import path

from calls.views import CallEndApi, CallStartApi

urlpatterns = [
    path("call/start/", CallStartApi.as_view(), name="call-start"),
    path("call/end/", CallEndApi.as_view(), name="call-end"),
]

from django.urls import path

from accounts import views

urlpatterns = [
    path("auth/signup/", views.SignupApi.as_view(), name="auth-signup"),
    path("auth/login/", views.LoginApi.as_view(), name="auth-login"),
    path("auth/refresh/", views.RefreshApi.as_view(), name="auth-refresh"),
    path("auth/logout/", views.LogoutApi.as_view(), name="auth-logout"),
    path("user/profile/", views.ProfileApi.as_view(), name="user-profile"),
]

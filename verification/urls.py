from config.urls_helpers import v1_path
from verification import views
from verification.services import DOCUMENT_URL_NAME

urlpatterns = [
    *v1_path("verification/upload", views.DocumentUploadApi.as_view(), "verification-upload"),
    *v1_path(
        "verification/documents/<uuid:document_id>", views.DocumentDownloadApi.as_view(), DOCUMENT_URL_NAME
    ),
    *v1_path("verification/submit", views.VerificationSubmitApi.as_view(), "verification-submit"),
    *v1_path("verification/status", views.VerificationStatusApi.as_view(), "verification-status"),
    *v1_path("verification/settings", views.VerificationSettingsApi.as_view(), "verification-settings"),
    *v1_path(
        "admin/verification/pending", views.AdminPendingVerificationsApi.as_view(), "admin-verification-pending"
    ),
    *v1_path(
        "admin/verification/<uuid:verification_id>/review",
        views.AdminVerificationReviewApi.as_view(),
        "admin-verification-review",
    ),
]

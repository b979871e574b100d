from config.urls_helpers import v1_path
from moderation import views

urlpatterns = [
    *v1_path("reports", views.ReportCreateApi.as_view(), "report-create"),
    *v1_path("admin/reports", views.AdminReportListApi.as_view(), "admin-report-list"),
    *v1_path(
        "admin/reports/<uuid:report_id>/resolve", views.AdminReportResolveApi.as_view(), "admin-report-resolve"
    ),
]

from django.db.models import QuerySet

from moderation.models import Report, ReportStatus, ReportType

ALL = "all"


def report_list(*, status: str = ReportStatus.PENDING, report_type: str = ALL) -> QuerySet[Report]:
    """Reports for the staff queue, oldest first; ``all`` lifts a filter. Users are joined, not fetched per row."""
    queryset = Report.objects.select_related("reporter", "reported_user", "resolved_by").order_by("created_at", "id")
    if status != ALL:
        queryset = queryset.filter(status=status)
    if report_type != ALL:
        queryset = queryset.filter(report_type=report_type)
    return queryset


STATUS_FILTERS = [ALL, *ReportStatus.values]
TYPE_FILTERS = [ALL, *ReportType.values]

from dataclasses import dataclass

from rest_framework import serializers


class PageQuerySerializer(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, max_value=1_000_000, default=1)
    per_page = serializers.IntegerField(min_value=1, max_value=100, default=20)


@dataclass(frozen=True)
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def total_pages(self) -> int:
        return (self.total + self.per_page - 1) // self.per_page

    def meta(self) -> dict:
        return {"total": self.total, "page": self.page, "per_page": self.per_page, "total_pages": self.total_pages}


def paginate(queryset, *, page: int, per_page: int) -> Page:
    """Page-number pagination for admin lists (``page``/``per_page`` as the seed names them)."""
    total = queryset.count()
    start = (page - 1) * per_page
    return Page(items=list(queryset[start : start + per_page]), total=total, page=page, per_page=per_page)

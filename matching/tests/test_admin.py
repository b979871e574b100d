"""The Django admin pages moderators browse matches with."""

import pytest

from matching import services
from matching.models import Match
from matching.tests.factories import pending_match

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, user_factory):
    client.force_login(user_factory(is_staff=True, is_superuser=True))
    return client


def test_match_pages(staff_client, user_factory, django_assert_max_num_queries):
    matches = [pending_match(user_factory(), user_factory()) for _ in range(5)]
    services.match_block_pair(user=matches[0].user_a, other=matches[1].user_a)
    for url in ("/admin/matching/match/", "/admin/matching/matchsettings/", "/admin/matching/matchblock/"):
        with django_assert_max_num_queries(12):
            assert staff_client.get(url).status_code == 200
    assert staff_client.get(f"/admin/matching/match/{matches[0].pk}/change/").status_code == 200


def test_matches_are_read_only_in_the_admin(staff_client, user_factory):
    match = pending_match(user_factory(), user_factory())
    assert staff_client.get("/admin/matching/match/add/").status_code == 403
    assert staff_client.post(f"/admin/matching/match/{match.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Match.objects.filter(pk=match.pk, status="pending").exists()

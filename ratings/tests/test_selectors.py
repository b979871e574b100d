import pytest

from ratings.models import RatingSummary
from ratings.selectors import user_rating_averages

pytestmark = pytest.mark.django_db


def test_averages_round_half_up_to_one_decimal_and_none_when_never_rated(user_factory, django_assert_num_queries):
    rated_a, rated_b, never_rated = user_factory(), user_factory(), user_factory()
    RatingSummary.objects.create(user=rated_a, rating_count=4, rating_sum=17)  # 4.25
    RatingSummary.objects.create(user=rated_b, rating_count=3, rating_sum=13)  # 4.333…

    with django_assert_num_queries(1):
        averages = user_rating_averages([rated_a.pk, rated_b.pk, never_rated.pk])

    assert averages == {rated_a.pk: 4.3, rated_b.pk: 4.3, never_rated.pk: None}


def test_a_summary_row_with_zero_ratings_reads_as_never_rated(user):
    RatingSummary.objects.create(user=user, rating_count=0, rating_sum=0)

    assert user_rating_averages([user.pk]) == {user.pk: None}


def test_one_query_for_many_users_and_none_for_no_users(user_factory, django_assert_num_queries):
    users = user_factory.create_batch(30)
    for index, rated in enumerate(users):
        RatingSummary.objects.create(user=rated, rating_count=1, rating_sum=index % 5 + 1)

    with django_assert_num_queries(1):
        averages = user_rating_averages([rated.pk for rated in users])
    with django_assert_num_queries(0):
        assert user_rating_averages([]) == {}

    assert averages == {rated.pk: float(index % 5 + 1) for index, rated in enumerate(users)}

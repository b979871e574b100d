"""config.db.PreparedQuery: the ORM's SQL compiled once, run with new values, same rows as the ORM."""

from datetime import timedelta

import pytest
from django.db.models import DateTimeField, IntegerField, Q
from django.utils import timezone

from accounts.models import User
from config.db import Param, PreparedQuery
from config.testing import UserFactory

pytestmark = pytest.mark.django_db


def _users_queryset(user_id, joined_since):
    return (
        User.objects.filter(Q(pk=user_id) | Q(date_joined__gte=joined_since), is_active=True)
        .order_by("id")
        .values_list("id", "public_id", "date_joined", "is_banned", "suspended_until")
    )


def test_rows_are_what_the_orm_gives_for_the_same_values():
    old = UserFactory(date_joined=timezone.now() - timedelta(days=9), suspended_until=timezone.now())
    recent = UserFactory(is_banned=True)
    UserFactory(is_active=False)
    since = timezone.now() - timedelta(days=1)
    prepared = PreparedQuery(
        lambda: _users_queryset(Param("user", IntegerField()), Param("since", DateTimeField()))
    )

    for user_id in (old.pk, recent.pk, 0):
        assert prepared.rows(user=user_id, since=since) == list(_users_queryset(user_id, since))
    assert [row[0] for row in prepared.rows(user=old.pk, since=since)] == [old.pk, recent.pk]


def test_the_queryset_is_built_and_compiled_once(django_assert_num_queries):
    built = []

    def factory():
        built.append(1)
        return User.objects.filter(pk=Param("user", IntegerField())).values_list("username")

    prepared = PreparedQuery(factory)
    first, second = UserFactory(), UserFactory()

    with django_assert_num_queries(2):
        assert prepared.rows(user=first.pk) == [(first.username,)]
        assert prepared.rows(user=second.pk) == [(second.username,)]
    assert built == [1]


def test_a_missing_value_is_an_error_not_a_wrong_query():
    prepared = PreparedQuery(lambda: User.objects.filter(pk=Param("user", IntegerField())).values_list("id"))

    with pytest.raises(KeyError):
        prepared.rows()


@pytest.mark.postgres
def test_postgresql_timestamps_come_back_as_django_gives_them():
    from datetime import UTC, datetime

    from django.db import connection
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    literals = ["2026-11-22 23:15:18.123456+00", "2024-02-29 00:00:00+09", "1970-01-01 00:00:00.000001-03:30"]
    query = "SELECT " + ", ".join(f"'{literal}'::timestamptz" for literal in literals)
    with connection.cursor() as cursor:
        cursor.execute(query)
        compiled = cursor.fetchone()
        register_tzloader(UTC, cursor.cursor)
        cursor.execute(query)
        by_django = cursor.fetchone()

    assert connection.connection.adapters.get_loader(1184, 0).__name__ == "UtcTimestamptzLoader"
    assert compiled == by_django == (
        datetime(2026, 11, 22, 23, 15, 18, 123456, tzinfo=UTC),
        datetime(2024, 2, 28, 15, 0, tzinfo=UTC),
        datetime(1970, 1, 1, 3, 30, 0, 1, tzinfo=UTC),
    )
    assert all(value.tzinfo is UTC for value in compiled + by_django)


def test_uuid_columns_can_come_back_as_their_text():
    user = UserFactory()
    queryset = User.objects.filter(pk=user.pk).values_list("public_id", "username", "id")
    prepared = PreparedQuery(
        lambda: User.objects.filter(pk=Param("user", IntegerField())).values_list("public_id", "username", "id"),
        uuids_as_text=True,
    )

    [(public_id, username, pk)] = queryset
    assert prepared.rows(user=user.pk) == [(str(public_id), username, pk)]
    assert str(public_id).count("-") == 4


@pytest.mark.postgres
def test_on_postgresql_only_prepared_queries_become_prepared_statements():
    from django.db import connection

    user = UserFactory()
    prepared = PreparedQuery(lambda: User.objects.filter(pk=Param("user", IntegerField())).values_list("username"))

    def statements() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall()]

    for _ in range(6):
        assert prepared.rows(user=user.pk) == [(user.username,)]
        assert list(User.objects.filter(pk=user.pk).values_list("email")) == [(user.email,)]

    assert [sql for sql in statements() if '"accounts_user"."username"' in sql] != []
    assert [sql for sql in statements() if '"accounts_user"."email"' in sql] == []

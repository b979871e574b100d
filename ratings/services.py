"""Rating use cases: rating the other participant of a call, and the aggregate it feeds."""

from django.db import IntegrityError, transaction
from django.db.models import F

from calls.errors import CallNotFound
from calls.selectors import call_partner_id
from ratings.errors import AlreadyRated
from ratings.models import Rating, RatingSummary


def _rating_summary_add(*, user_id: int, score: int) -> None:
    """Adds one rating to ``user_id``'s summary; call inside the transaction that inserts the rating.

    The row is created on first use (``get_or_create`` settles two first ratings racing on the
    primary key) and incremented in one ``UPDATE ... SET x = x + n``, which serializes concurrent
    ratings on the row lock instead of losing one.
    """
    RatingSummary.objects.get_or_create(user_id=user_id)
    RatingSummary.objects.filter(user_id=user_id).update(
        rating_count=F("rating_count") + 1, rating_sum=F("rating_sum") + score
    )


@transaction.atomic
def rating_submit(*, rater, call_id: int, score: int, comment: str = "") -> Rating:
    """``rater`` rates the other participant of call ``call_id``, once per call.

    The unique (call, rater) constraint decides between two concurrent submissions: the loser's
    insert fails and it gets AlreadyRated, and since the summary is only touched after the insert,
    in the same transaction, the aggregate counts each rating exactly once.
    Raises CallNotFound (also for a call ``rater`` was not in), AlreadyRated.
    """
    rated_id = call_partner_id(user=rater, call_id=call_id)
    if rated_id is None:
        raise CallNotFound()
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                call_id=call_id, rater=rater, rated_id=rated_id, score=score, comment=comment
            )
    except IntegrityError:
        if Rating.objects.filter(call_id=call_id, rater=rater).exists():
            raise AlreadyRated() from None
        raise
    _rating_summary_add(user_id=rated_id, score=score)
    return rating

"""The pairing plan: which waiting pools to propose to each other. Pure Python, no database.

Two pools are compatible when they have opposite genders, the same member count, and each one's
preference accepts the other:

- ``any`` accepts everyone;
- ``same_department`` accepts a pool of the same department;
- ``major_category`` accepts a pool whose major category is in its ``preferred_categories``.

Pools are taken longest-waiting first; each one is paired with the longest-waiting compatible pool
still free, skipping pairs that were proposed before. The cost is about linear: every pool is
filed once under a few keys (``_filed_under``) so that each list holds only pools that are
compatible with any searcher whose ``_searched_keys`` name it, and a searcher looks at the heads of
a few lists instead of scanning the others. Entries already paired are dropped from the heads as
they are met, so each is passed over once per list it sits in.
"""

from collections import defaultdict, deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

ANY = "any"
SAME_DEPARTMENT = "same_department"
MAJOR_CATEGORY = "major_category"
_OPPOSITE = {"male": "female", "female": "male"}


@dataclass(frozen=True, slots=True)
class Candidate:
    pool_id: UUID
    gender: str
    member_count: int
    match_type: str
    department: str
    major_category: str
    categories: frozenset[str]


def accepts(pool: Candidate, other: Candidate) -> bool:
    """Whether ``pool``'s preference accepts ``other`` (one direction only)."""
    if pool.match_type == ANY:
        return True
    if pool.match_type == SAME_DEPARTMENT:
        return other.department == pool.department
    if pool.match_type == MAJOR_CATEGORY:
        return other.major_category in pool.categories
    return False


def compatible(one: Candidate, other: Candidate) -> bool:
    return (
        _OPPOSITE.get(one.gender) == other.gender
        and one.member_count == other.member_count
        and accepts(one, other)
        and accepts(other, one)
    )


def _filed_under(pool: Candidate) -> Iterable[tuple]:
    """The lists a pool is filed in: what it accepts, crossed with what a searcher may require of it."""
    bucket = (pool.gender, pool.member_count)
    if pool.match_type == ANY:
        yield ("any", *bucket)
        yield ("any-dept", *bucket, pool.department)
        yield ("any-major", *bucket, pool.major_category)
    elif pool.match_type == SAME_DEPARTMENT:
        yield ("dept", *bucket, pool.department)
        yield ("dept-major", *bucket, pool.department, pool.major_category)
    elif pool.match_type == MAJOR_CATEGORY:
        for category in pool.categories:
            yield ("cat", *bucket, category)
            yield ("cat-dept", *bucket, category, pool.department)
            yield ("cat-major", *bucket, category, pool.major_category)


def _searched_keys(pool: Candidate) -> Iterable[tuple]:
    """The lists holding exactly the pools compatible with ``pool`` (see the module docstring)."""
    other_gender = _OPPOSITE.get(pool.gender)
    if other_gender is None:
        return
    bucket = (other_gender, pool.member_count)
    if pool.match_type == ANY:
        yield ("any", *bucket)
        yield ("dept", *bucket, pool.department)
        yield ("cat", *bucket, pool.major_category)
    elif pool.match_type == SAME_DEPARTMENT:
        yield ("any-dept", *bucket, pool.department)
        yield ("dept", *bucket, pool.department)
        yield ("cat-dept", *bucket, pool.major_category, pool.department)
    elif pool.match_type == MAJOR_CATEGORY:
        for category in pool.categories:
            yield ("any-major", *bucket, category)
            yield ("dept-major", *bucket, pool.department, category)
            yield ("cat-major", *bucket, pool.major_category, category)


def plan_pairs(
    candidates: Sequence[Candidate], proposed_before: Mapping[UUID, Collection[UUID]] | None = None
) -> list[tuple[UUID, UUID]]:
    """Pairs ``(longer waiting, shorter waiting)`` from ``candidates`` given longest-waiting first.

    ``proposed_before`` maps a pool id to the pool ids it must not be proposed to again.
    """
    proposed_before = proposed_before or {}
    lists: dict[tuple, deque[int]] = defaultdict(deque)
    for index, pool in enumerate(candidates):
        for key in _filed_under(pool):
            lists[key].append(index)

    paired = bytearray(len(candidates))
    pairs: list[tuple[UUID, UUID]] = []
    for index, pool in enumerate(candidates):
        if paired[index]:
            continue
        excluded = proposed_before.get(pool.pool_id, ())
        best: int | None = None
        for key in _searched_keys(pool):
            queue = lists.get(key)
            if not queue:
                continue
            found = _first_free(queue, paired, candidates, excluded)
            if found is not None and (best is None or found < best):
                best = found
        if best is not None:
            paired[index] = paired[best] = 1
            pairs.append((pool.pool_id, candidates[best].pool_id))
    return pairs


def _first_free(
    queue: deque[int], paired: bytearray, candidates: Sequence[Candidate], excluded: Collection[UUID]
) -> int | None:
    # Paired pools at the head never become free again in this run: drop them for good.
    while queue and paired[queue[0]]:
        queue.popleft()
    if not excluded:
        return queue[0] if queue else None
    for index in queue:
        if not paired[index] and candidates[index].pool_id not in excluded:
            return index
    return None

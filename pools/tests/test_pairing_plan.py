"""The pairing plan (pure Python): the compatibility rules, longest-waiting first, pairs never
proposed twice, and the indexed plan giving exactly what a plain all-pairs greedy scan gives."""

import random
import uuid

import pytest

from pools.pairing import Candidate, compatible, plan_pairs

DEPARTMENTS = ["컴퓨터공학과", "경영학과", "전자공학과", "경제학과"]
CATEGORIES = ["공과대학", "경영대학", "사회과학대학"]


def pool(gender="male", size=2, match_type="any", department="컴퓨터공학과", major="공과대학", categories=()):
    return Candidate(
        pool_id=uuid.uuid4(),
        gender=gender,
        member_count=size,
        match_type=match_type,
        department=department,
        major_category=major,
        categories=frozenset(categories),
    )


@pytest.mark.parametrize(
    ("one", "other", "expected"),
    [
        ({}, {"gender": "female"}, True),
        ({}, {"gender": "male"}, False),
        ({}, {"gender": "female", "size": 3}, False),
        ({"match_type": "same_department"}, {"gender": "female"}, True),
        ({"match_type": "same_department"}, {"gender": "female", "department": "경영학과"}, False),
        ({}, {"gender": "female", "match_type": "same_department", "department": "경영학과"}, False),
        (
            {"match_type": "major_category", "categories": ["경영대학"]},
            {"gender": "female", "major": "경영대학"},
            True,
        ),
        (
            {"match_type": "major_category", "categories": ["경영대학"]},
            {"gender": "female", "major": "공과대학"},
            False,
        ),
        (
            {"match_type": "major_category", "categories": ["경영대학"], "department": "컴퓨터공학과"},
            {"gender": "female", "major": "경영대학", "match_type": "same_department", "department": "경영학과"},
            False,
        ),
        (
            {"match_type": "major_category", "categories": ["경영대학"], "major": "공과대학"},
            {"gender": "female", "major": "경영대학", "match_type": "major_category", "categories": ["공과대학"]},
            True,
        ),
    ],
)
def test_compatibility_is_checked_both_ways(one, other, expected):
    first, second = pool(**one), pool(**other)
    assert compatible(first, second) is expected
    assert compatible(second, first) is expected
    assert plan_pairs([first, second]) == ([(first.pool_id, second.pool_id)] if expected else [])


def test_the_longest_waiting_pool_is_paired_first_with_the_longest_waiting_partner():
    oldest_man = pool("male")
    first_woman, second_woman = pool("female"), pool("female")
    newer_man = pool("male")

    pairs = plan_pairs([oldest_man, first_woman, second_woman, newer_man])

    assert pairs == [(oldest_man.pool_id, first_woman.pool_id), (second_woman.pool_id, newer_man.pool_id)]


def test_a_pair_proposed_before_is_never_planned_again():
    man, woman, other_woman = pool("male"), pool("female"), pool("female")
    before = {man.pool_id: {woman.pool_id}, woman.pool_id: {man.pool_id}}

    assert plan_pairs([man, woman], before) == []
    assert plan_pairs([man, woman, other_woman], before) == [(man.pool_id, other_woman.pool_id)]


def test_nobody_is_paired_twice_and_nobody_with_themselves():
    pools = [pool("male") for _ in range(5)] + [pool("female") for _ in range(3)]
    pairs = plan_pairs(pools)
    ids = [pool_id for pair in pairs for pool_id in pair]
    assert len(pairs) == 3
    assert len(ids) == len(set(ids))


def _random_pool(rng: random.Random) -> Candidate:
    match_type = rng.choice(["any", "same_department", "major_category"])
    return pool(
        gender=rng.choice(["male", "female"]),
        size=rng.randint(2, 3),
        match_type=match_type,
        department=rng.choice(DEPARTMENTS),
        major=rng.choice(CATEGORIES),
        categories=rng.sample(CATEGORIES, rng.randint(1, 2)) if match_type == "major_category" else (),
    )


def _all_pairs_greedy(candidates, before):
    """The reference: every pool in wait order takes the first free compatible pool (quadratic)."""
    paired, pairs = set(), []
    for index, one in enumerate(candidates):
        if one.pool_id in paired:
            continue
        for other in candidates[index + 1 :]:
            if (
                other.pool_id not in paired
                and other.pool_id not in before.get(one.pool_id, ())
                and compatible(one, other)
            ):
                paired |= {one.pool_id, other.pool_id}
                pairs.append((one.pool_id, other.pool_id))
                break
    return pairs


@pytest.mark.parametrize("seed", range(8))
def test_the_indexed_plan_equals_the_all_pairs_greedy_scan(seed):
    rng = random.Random(seed)
    candidates = [_random_pool(rng) for _ in range(400)]
    before: dict = {}
    for _ in range(150):
        one, other = rng.sample(candidates, 2)
        before.setdefault(one.pool_id, set()).add(other.pool_id)
        before.setdefault(other.pool_id, set()).add(one.pool_id)

    pairs = plan_pairs(candidates, before)

    assert pairs == _all_pairs_greedy(candidates, before)
    assert len(pairs) > 50

"""Pools and proposals in the Django admin: browsable, never editable there."""

import pytest
from django.test import Client

from config.testing import UserFactory
from pools.tests.factories import proposed_pair

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_browser():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_pools_and_proposals_are_listed_and_shown_with_their_members_and_sides(admin_browser):
    proposal, pool_a, _ = proposed_pair()

    for url in ("/admin/pools/pool/", "/admin/pools/proposal/", "/admin/pools/pool/?status=proposed"):
        assert admin_browser.get(url).status_code == 200
    pool_page = admin_browser.get(f"/admin/pools/pool/{pool_a.pk}/change/")
    proposal_page = admin_browser.get(f"/admin/pools/proposal/{proposal.pk}/change/")

    assert pool_page.status_code == proposal_page.status_code == 200
    assert pool_a.creator.username in pool_page.content.decode()
    assert str(pool_a.pk) in proposal_page.content.decode()
    # Read-only: no save button on the detail pages.
    assert 'name="_save"' not in pool_page.content.decode()


@pytest.mark.parametrize("url", ["/admin/pools/pool/add/", "/admin/pools/proposal/add/"])
def test_nothing_is_added_in_the_admin(admin_browser, url):
    assert admin_browser.get(url).status_code == 403


def test_nothing_is_deleted_in_the_admin(admin_browser):
    proposal, pool_a, _ = proposed_pair()
    assert admin_browser.get(f"/admin/pools/pool/{pool_a.pk}/delete/").status_code == 403
    assert admin_browser.post(f"/admin/pools/proposal/{proposal.pk}/delete/", {"post": "yes"}).status_code == 403

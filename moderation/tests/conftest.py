import pytest
from django.contrib.auth.models import Group

MODERATORS = "moderators"


@pytest.fixture
def staff(user_factory):
    """A staff account without any admin permission (the API's ``staff only``)."""
    return user_factory(username="staff_member", is_staff=True)


@pytest.fixture
def moderator(user_factory):
    """A non-superuser staff account in the ``moderators`` group the data migration creates."""
    user = user_factory(username="moderator", is_staff=True)
    user.groups.add(Group.objects.get(name=MODERATORS))
    return user

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.renderers import JSONRenderer

from accounts.serializers import ProfileOutputSerializer
from config.testing import image_upload

PROFILE = "/api/user/profile/"
pytestmark = pytest.mark.django_db


def test_profile_shows_the_caller(auth_client, user_factory):
    user = user_factory(username="mina", age=31, gender="female")
    client = auth_client(user)
    client.put(PROFILE, {"profile_image": image_upload()}, format="multipart")
    response = client.get(PROFILE)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"user_id", "username", "age", "gender", "profile_image"}
    assert body["user_id"] == str(user.public_id)
    assert (body["username"], body["age"], body["gender"]) == ("mina", 31, "female")
    assert body["profile_image"].startswith("http://testserver/media/profiles/")


@pytest.mark.parametrize("photo", [True, False])
def test_the_profile_is_what_the_documented_serializer_gives(auth_client, user_factory, rf, photo):
    """The view builds the dict directly; ProfileOutputSerializer documents it in the schema."""
    user = user_factory(username="mina", age=31, gender="female")
    client = auth_client(user)
    if photo:
        client.put(PROFILE, {"profile_image": image_upload()}, format="multipart")
        user.refresh_from_db()
    expected = ProfileOutputSerializer(user, context={"request": rf.get(PROFILE)}).data

    body = client.get(PROFILE).json()

    assert body == json.loads(JSONRenderer().render(expected))
    assert list(body) == list(expected)


def test_profile_without_a_photo_shows_null(auth_client, user):
    assert auth_client(user).get(PROFILE).json()["profile_image"] is None


def test_profile_needs_a_token(api_client):
    response = api_client.get(PROFILE)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


def test_update_username(auth_client, user):
    response = auth_client(user).put(PROFILE, {"username": "renamed_1"}, format="multipart")
    assert response.status_code == 200
    assert response.json() == {"message": "프로필이 수정되었습니다."}
    user.refresh_from_db()
    assert user.username == "renamed_1"


def test_update_username_as_json(auth_client, user):
    assert auth_client(user).put(PROFILE, {"username": "json_name"}, format="json").status_code == 200


@pytest.mark.parametrize("username", [123, 12345, True, ["abc"]])
def test_a_json_username_must_be_a_string_and_nothing_changes(auth_client, user_factory, username):
    me = user_factory(username="me_myself")
    response = auth_client(me).put(PROFILE, {"username": username}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert response.json()["error"]["details"] == {"username": ["유효한 문자열이 아닙니다."]}
    me.refresh_from_db()
    assert me.username == "me_myself"


def test_a_multipart_username_of_digits_is_a_string(auth_client, user):
    response = auth_client(user).put(PROFILE, {"username": "12345"}, format="multipart")
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.username == "12345"


def test_update_photo_replaces_the_old_file(auth_client, user):
    client = auth_client(user)
    client.put(PROFILE, {"profile_image": image_upload()}, format="multipart")
    user.refresh_from_db()
    old = user.profile_image.name
    client.put(PROFILE, {"profile_image": image_upload(fmt="JPEG", name="x.jpg")}, format="multipart")
    user.refresh_from_db()
    assert user.profile_image.name != old and user.profile_image.name.endswith(".jpg")
    assert not user.profile_image.storage.exists(old)


def test_taking_someone_elses_name_in_another_case_is_refused(auth_client, user_factory):
    user_factory(username="Taken.Name")
    me = user_factory(username="me_myself")
    response = auth_client(me).put(PROFILE, {"username": "taken.name"}, format="multipart")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "USERNAME_TAKEN"
    me.refresh_from_db()
    assert me.username == "me_myself"


def test_renaming_to_my_own_name_in_another_case_is_allowed(auth_client, user_factory):
    me = user_factory(username="casey")
    assert auth_client(me).put(PROFILE, {"username": "Casey"}, format="multipart").status_code == 200


def test_empty_update_is_a_validation_error(auth_client, user):
    response = auth_client(user).put(PROFILE, {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_empty_update_message_is_korean_and_english_on_request(auth_client, user):
    korean = auth_client(user).put(PROFILE, {}, format="multipart")
    assert korean.json()["error"]["details"] == {"non_field_errors": ["username 또는 profile_image 중 하나 이상을 보내 주세요."]}
    english = auth_client(user).put(PROFILE, {}, format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["error"]["details"] == {"non_field_errors": ["Send username and/or profile_image."]}


def test_username_character_rule_message_is_korean(auth_client, user_factory):
    me = user_factory(username="me_myself")
    response = auth_client(me).put(PROFILE, {"username": "with space"}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"username": ["영문, 숫자, '_', '.'만 사용할 수 있습니다."]}
    english = auth_client(me).put(PROFILE, {"username": "with space"}, format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["error"]["details"] == {"username": ["Use letters, digits, '_' and '.' only."]}
    me.refresh_from_db()
    assert me.username == "me_myself"


def test_a_bad_photo_changes_nothing(auth_client, user):
    fake = SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png")
    response = auth_client(user).put(PROFILE, {"username": "new_name", "profile_image": fake}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_IMAGE"
    user.refresh_from_db()
    assert user.username != "new_name" and not user.profile_image


@pytest.mark.parametrize("username", ["x", "with space", "a" * 31, ""])
def test_bad_usernames(auth_client, user, username):
    response = auth_client(user).put(PROFILE, {"username": username}, format="json")
    assert response.status_code == 400
    assert "username" in response.json()["error"]["details"]


def test_patch_is_not_allowed(auth_client, user):
    response = auth_client(user).patch(PROFILE, {"username": "abc"}, format="json")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"

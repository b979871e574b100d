import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from config.testing import image_bytes, image_upload

User = get_user_model()
SIGNUP = "/api/auth/signup/"
pytestmark = pytest.mark.django_db


def signup_data(**overrides):
    data = {
        "username": "new_user.1",
        "password": "Unusual-Pass-981",
        "age": 24,
        "gender": "female",
        "profile_image": image_upload(),
    }
    data.update(overrides)
    return data


def test_signup_creates_the_account(api_client):
    response = api_client.post(SIGNUP, signup_data(), format="multipart")
    assert response.status_code == 201, response.content
    assert response.json() == {"message": "회원가입이 완료되었습니다."}
    user = User.objects.get(username="new_user.1")
    assert (user.age, user.gender) == (24, "female")
    assert user.check_password("Unusual-Pass-981")
    assert user.profile_image.name.startswith("profiles/") and user.profile_image.name.endswith(".png")


def test_signup_message_in_english_on_request(api_client):
    response = api_client.post(SIGNUP, signup_data(), format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json() == {"message": "Sign-up is complete."}


@pytest.mark.parametrize("taken", ["new_user.1", "NEW_USER.1", "New_User.1"])
def test_duplicate_username_even_differing_in_case_is_refused(api_client, user_factory, taken):
    user_factory(username="new_user.1")
    response = api_client.post(SIGNUP, signup_data(username=taken), format="multipart")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "USERNAME_TAKEN"
    assert User.objects.filter(username__iexact="new_user.1").count() == 1


def test_the_database_refuses_a_case_variant_username(user_factory):
    from django.db import IntegrityError

    user_factory(username="Casey")
    with pytest.raises(IntegrityError):
        user_factory(username="casey")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("age", 17),
        ("age", 101),
        ("age", "twenty"),
        ("age", ""),
        ("gender", "other"),
        ("gender", "MALE"),
        ("username", "ab"),
        ("username", "a" * 31),
        ("username", "bad name!"),
        ("username", "한글이름"),
        ("password", "123"),
        ("password", "password"),
    ],
)
def test_invalid_fields_are_validation_errors(api_client, field, value):
    response = api_client.post(SIGNUP, signup_data(**{field: value}), format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "VALIDATION_ERROR"
    assert field in body["error"]["details"]
    assert User.objects.count() == 0


def test_missing_fields_are_listed(api_client):
    response = api_client.post(SIGNUP, {}, format="multipart")
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"username", "password", "age", "gender", "profile_image"}


def test_a_text_file_posing_as_png_is_refused(api_client):
    fake = SimpleUploadedFile("photo.png", b"hello, I am text" * 10, content_type="image/png")
    response = api_client.post(SIGNUP, signup_data(profile_image=fake), format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_IMAGE"
    assert User.objects.count() == 0


def test_a_gif_is_not_an_accepted_format(api_client):
    gif = SimpleUploadedFile("photo.gif", image_bytes("GIF"), content_type="image/gif")
    response = api_client.post(SIGNUP, signup_data(profile_image=gif), format="multipart")
    assert response.json()["error"]["code"] == "INVALID_IMAGE"


def test_an_image_over_5_mb_is_refused(api_client):
    big = SimpleUploadedFile("big.png", image_bytes() + b"\0" * (5 * 1024 * 1024), content_type="image/png")
    response = api_client.post(SIGNUP, signup_data(profile_image=big), format="multipart")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert response.json()["error"]["details"] == {"profile_image": ["이미지는 5MB 이하여야 합니다."]}
    assert User.objects.count() == 0


def test_an_image_over_4096_px_a_side_is_refused(api_client):
    wide = SimpleUploadedFile("wide.png", image_bytes(size=(4097, 2)), content_type="image/png")
    response = api_client.post(SIGNUP, signup_data(profile_image=wide), format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_IMAGE"


def test_json_body_is_an_unsupported_media_type(api_client):
    response = api_client.post(SIGNUP, {"username": "x"}, format="json")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (37.0, 33.0, 59.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (126.0, 58.0, 41.0),
    }
    return image_bytes("JPEG", exif=exif.tobytes())


def test_exif_gps_is_gone_from_the_stored_image(api_client):
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo), "fixture must carry GPS"
    upload = SimpleUploadedFile("gps.jpg", original, content_type="image/jpeg")
    response = api_client.post(SIGNUP, signup_data(profile_image=upload), format="multipart")
    assert response.status_code == 201
    stored = User.objects.get(username="new_user.1").profile_image
    with stored.open("rb") as handle:
        data = handle.read()
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert len(image.getexif()) == 0
    assert b"PhoneMaker" not in data


def test_signup_is_rate_limited_per_ip(api_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": "2/h"}
    for index in range(2):
        response = api_client.post(SIGNUP, signup_data(username=f"person_{index}"), format="multipart")
        assert response.status_code == 201
        assert response["X-RateLimit-Limit"] == "2"
    refused = api_client.post(SIGNUP, signup_data(username="person_9"), format="multipart")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert "Retry-After" in refused
    assert not User.objects.filter(username="person_9").exists()

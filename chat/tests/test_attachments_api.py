import io
import os
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from chat import services
from chat.models import ChatAttachment, Message
from chat.tasks import purge_unsent_attachments
from config.testing import image_bytes, image_upload

pytestmark = pytest.mark.django_db

# An EXIF block carrying a GPS pointer (tag 0x8825), as a phone camera writes one.
EXIF_WITH_GPS = Image.Exif()
EXIF_WITH_GPS[0x8825] = {2: (37.0, 33.0, 0.0)}


def _upload(client, room, upload):
    return client.post(room.url("/attachments"), {"file": upload}, format="multipart")


def test_upload_stores_a_reencoded_image_without_metadata(blind_room, auth_client, settings):
    raw = image_bytes("JPEG", size=(40, 20), exif=EXIF_WITH_GPS.tobytes())
    with Image.open(io.BytesIO(raw)) as original:
        assert 0x8825 in original.getexif()
    jpeg = SimpleUploadedFile("holiday.png", raw, content_type="image/png")  # the name lies; the content decides
    response = _upload(auth_client(blind_room.a[0]), blind_room, jpeg)

    assert response.status_code == 201
    attachment = ChatAttachment.objects.get(room_id=blind_room.id)
    assert response.json()["message"] == "이미지를 업로드했습니다."
    assert response.json()["data"] == {
        "attachment_id": str(attachment.id),
        "url": f"/api/v1/matching/chats/{blind_room.id}/attachments/{attachment.id}",
        "content_type": "image/jpeg",
        "width": 40,
        "height": 20,
        "size": attachment.size,
    }
    path = attachment.image.path
    assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not path.startswith(str(settings.MEDIA_ROOT))
    with Image.open(path) as stored:
        assert stored.format == "JPEG"
        assert dict(stored.getexif()) == {}
    assert attachment.message is None


@pytest.mark.parametrize(
    "upload, code, status",
    [
        (SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png"), "INVALID_IMAGE", 400),
        (image_upload("x.gif", fmt="PNG"), None, 201),
        (SimpleUploadedFile("x.gif", image_bytes("GIF"), content_type="image/gif"), "INVALID_IMAGE", 400),
        (SimpleUploadedFile("x.png", b"\x89PNG" + b"0" * (10 * 1024 * 1024), content_type="image/png"),
         "PAYLOAD_TOO_LARGE", 413),
    ],
)
def test_upload_judges_images_by_content_and_size(blind_room, auth_client, upload, code, status):
    response = _upload(auth_client(blind_room.b[0]), blind_room, upload)
    assert response.status_code == status
    if code is not None:
        assert response.json()["error"]["code"] == code
        assert ChatAttachment.objects.count() == 0


def test_upload_needs_a_file(blind_room, auth_client):
    response = auth_client(blind_room.a[0]).post(blind_room.url("/attachments"), {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["details"].keys() == {"file"}
    response = auth_client(blind_room.a[0]).post(blind_room.url("/attachments"), {"file": "x"}, format="json")
    assert response.status_code == 415
    assert ChatAttachment.objects.count() == 0


def test_upload_is_for_members_of_an_open_room_only(blind_room, auth_client, user_factory, api_client):
    services.chat_room_leave(user=blind_room.a[1], room_id=blind_room.id)
    for user in (user_factory(), blind_room.a[1]):
        response = _upload(auth_client(user), blind_room, image_upload())
        assert response.status_code == 404
    assert _upload(api_client, blind_room, image_upload()).status_code == 401
    for user in blind_room.b:
        services.chat_room_leave(user=user, room_id=blind_room.id)
    response = _upload(auth_client(blind_room.a[0]), blind_room, image_upload())
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "ROOM_CLOSED"
    assert ChatAttachment.objects.count() == 0


def test_image_message_claims_its_attachments_once(blind_room, auth_client):
    a1 = blind_room.a[0]
    client = auth_client(a1)
    ids = [_upload(client, blind_room, image_upload()).json()["data"]["attachment_id"] for _ in range(2)]

    response = client.post(
        blind_room.url("/messages"), {"message_type": "image", "content": "사진", "attachments": ids}, format="json"
    )

    assert response.status_code == 201
    body = response.json()["data"]
    assert body["message_type"] == "image" and body["content"] == "사진"
    assert [a["attachment_id"] for a in body["attachments"]] == ids
    message = Message.objects.get(message_id=body["message_id"])
    assert set(ChatAttachment.objects.filter(message=message).values_list("id", flat=True)) == {uuid.UUID(i) for i in ids}
    # Shown in history too.
    page = auth_client(blind_room.b[0]).get(blind_room.url("/messages")).json()["data"]
    assert page["messages"][-1]["attachments"] == body["attachments"]

    again = client.post(blind_room.url("/messages"), {"message_type": "image", "attachments": ids[:1]}, format="json")
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "INVALID_ATTACHMENT"
    assert Message.objects.filter(room_id=blind_room.id, message_type="image").count() == 1


def test_image_message_refuses_someone_elses_or_another_rooms_attachment(blind_room, open_mode_room, auth_client):
    a1, a2 = blind_room.a
    theirs = _upload(auth_client(a2), blind_room, image_upload()).json()["data"]["attachment_id"]
    services_room_user = open_mode_room.a[0]
    elsewhere = _upload(auth_client(services_room_user), open_mode_room, image_upload()).json()["data"]["attachment_id"]

    for attachment_id in (theirs, elsewhere, str(uuid.uuid4())):
        response = auth_client(a1).post(
            blind_room.url("/messages"), {"message_type": "image", "attachments": [attachment_id]}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "INVALID_ATTACHMENT"
    assert not Message.objects.filter(message_type="image").exists()
    assert not ChatAttachment.objects.filter(message__isnull=False).exists()


def test_attachment_download_is_for_room_members_once_sent(blind_room, auth_client, user_factory, api_client):
    a1 = blind_room.a[0]
    b1 = blind_room.b[0]
    uploaded = _upload(auth_client(a1), blind_room, image_upload(size=(12, 34))).json()["data"]

    # Before it is sent only the uploader sees it.
    mine = auth_client(a1).get(uploaded["url"])
    assert mine.status_code == 200
    assert mine["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(b"".join(mine.streaming_content))) as image:
        assert image.size == (12, 34)
    assert auth_client(b1).get(uploaded["url"]).status_code == 404

    auth_client(a1).post(
        blind_room.url("/messages"), {"message_type": "image", "attachments": [uploaded["attachment_id"]]}, format="json"
    )
    assert auth_client(b1).get(uploaded["url"]).status_code == 200
    assert auth_client(b1).get(uploaded["url"] + "/").status_code == 200

    stranger = auth_client(user_factory()).get(uploaded["url"])
    assert stranger.status_code == 404
    assert stranger.json()["error"]["code"] == "NOT_FOUND"
    assert api_client.get(uploaded["url"]).status_code == 401
    services.chat_room_leave(user=b1, room_id=blind_room.id)
    assert auth_client(b1).get(uploaded["url"]).status_code == 404
    missing = auth_client(a1).get(blind_room.url(f"/attachments/{uuid.uuid4()}"))
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "첨부 파일을 찾을 수 없습니다."


def test_unsent_images_are_purged_after_a_day(blind_room, auth_client, django_capture_on_commit_callbacks):
    client = auth_client(blind_room.a[0])
    stale, fresh, sent = (_upload(client, blind_room, image_upload()).json()["data"] for _ in range(3))
    client.post(blind_room.url("/messages"), {"message_type": "image", "attachments": [sent["attachment_id"]]}, format="json")
    ChatAttachment.objects.filter(id__in=[stale["attachment_id"], sent["attachment_id"]]).update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    stale_path = ChatAttachment.objects.get(id=stale["attachment_id"]).image.path

    with django_capture_on_commit_callbacks(execute=True):
        assert purge_unsent_attachments() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_unsent_attachments() == 0

    assert set(ChatAttachment.objects.values_list("id", flat=True)) == {
        uuid.UUID(fresh["attachment_id"]), uuid.UUID(sent["attachment_id"])
    }
    assert not os.path.exists(stale_path)
    assert client.get(stale["url"]).status_code == 404
    assert client.get(sent["url"]).status_code == 200

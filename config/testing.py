"""Helpers for tests across apps: factories, authenticated clients, images, WebSocket clients."""

import io
import json
import threading

import factory
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

DEFAULT_PASSWORD = "Correct-Horse-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user_{n}")
    age = 25
    gender = "male"
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


def access_token_for(user) -> str:
    return str(RefreshToken.for_user(user).access_token)


def auth_client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(user)}")
    return client


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (32, 32), exif: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 40, 40))
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def image_upload(name: str = "photo.png", fmt: str = "PNG", **kwargs) -> SimpleUploadedFile:
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}[fmt]
    return SimpleUploadedFile(name, image_bytes(fmt, **kwargs), content_type=content_type)


async def ws_connect(path: str, token: str | None = None) -> tuple[WebsocketCommunicator, bool]:
    """Connects a communicator to the real ASGI application (middleware included)."""
    from config.asgi import application

    url = f"{path}?token={token}" if token is not None else path
    communicator = WebsocketCommunicator(application, url)
    connected, _ = await communicator.connect()
    return communicator, connected


async def ws_receive_close_code(communicator: WebsocketCommunicator, timeout: float = 2) -> int | None:
    """Reads frames until the server closes; returns the close code."""
    while True:
        output = await communicator.receive_output(timeout)
        if output["type"] == "websocket.close":
            return output.get("code")


async def ws_receive_json(communicator: WebsocketCommunicator, timeout: float = 2) -> dict:
    return json.loads(await communicator.receive_from(timeout))


def run_together(calls: list) -> tuple[list, list]:
    """Runs each zero-argument callable in its own thread, all released at once by a barrier.
    Returns (results, exceptions), both in the order of ``calls``."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as error:  # collected and asserted on by the test
            errors[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors

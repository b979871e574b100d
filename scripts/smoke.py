"""Drives a running server over real HTTP and WebSocket: signup → login → profile → /ws/events/."""

import asyncio
import io
import json
import sys
import uuid

import httpx
import websockets
from PIL import Image


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


async def main(base: str) -> None:
    username = f"smoke_{uuid.uuid4().hex[:10]}"
    password = "Smoke-Test-Pass-91"
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text
        signup = await client.post(
            "/api/auth/signup/",
            data={"username": username, "password": password, "age": "27", "gender": "female"},
            files={"profile_image": ("me.png", png(), "image/png")},
        )
        assert signup.status_code == 201, signup.text
        login = await client.post("/api/auth/login/", json={"username": username, "password": password})
        assert login.status_code == 200, login.text
        access = login.json()["access"]
        profile = await client.get("/api/user/profile/", headers={"Authorization": f"Bearer {access}"})
        assert profile.status_code == 200 and profile.json()["username"] == username, profile.text
        image = await client.get(profile.json()["profile_image"])
        assert image.status_code == 200 and image.content[:4] == b"\x89PNG", image.status_code
        schema = await client.get("/api/schema/")
        assert schema.status_code == 200, schema.status_code

    ws_base = base.replace("http", "ws", 1)
    async with websockets.connect(f"{ws_base}/ws/events/?token={access}") as socket:
        await socket.send(json.dumps({"type": "ping"}))
        reply = json.loads(await asyncio.wait_for(socket.recv(), 5))
        assert reply == {"type": "pong"}, reply
    async with websockets.connect(f"{ws_base}/ws/events/?token=garbage") as socket:
        try:
            await asyncio.wait_for(socket.recv(), 5)
            await asyncio.wait_for(socket.recv(), 5)
        except websockets.ConnectionClosed as closed:
            assert closed.rcvd.code == 4401, closed.rcvd
        else:
            raise AssertionError("a bad token was not refused")
    print("smoke: signup, login, profile, media, schema and /ws/events/ all work")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))

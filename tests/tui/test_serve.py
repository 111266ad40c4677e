"""``inquiry serve`` in a real browser: headless Chromium loads the page, its JavaScript opens the
terminal's websocket, the app starts on the example notebook, and the inquiry's question reaches
the browser.

textual-serve draws the terminal with xterm.js on a canvas (WebGL or 2D), so the text is not in the
DOM. The test therefore reads what the page itself receives: it drives Chromium over the DevTools
protocol and collects the websocket frames the page gets (the app's screen as ANSI text). It also
checks the app's name on the served page. Skipped, with the reason, where Chromium or textual-serve is absent.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

QUESTION = "Can reinforcement learning close"  # the start of the example inquiry's question (the pane may cut the rest)
CHROMIUM = next(
    (p for p in (shutil.which("chromium"), shutil.which("chromium-browser"), shutil.which("google-chrome")) if p), None
)
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-B]|\x1b[=>]")

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listened on 127.0.0.1:{port} within {timeout} s")


async def page_frames(url: str, profile: Path, seconds: float, wanted: str) -> tuple[str, str]:
    """Load ``url`` in headless Chromium; return (the app name the page shows, text of every websocket frame received)
    once ``wanted`` is among them or ``seconds`` have passed."""
    import aiohttp

    browser = subprocess.Popen(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-dev-shm-usage",
            "--window-size=1280,800",
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or browser.poll() is not None:
                raise AssertionError("Chromium did not start its DevTools endpoint")
            await asyncio.sleep(0.1)
        devtools = int(port_file.read_text().split()[0])
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{devtools}/json/list") as response:
                target = next(t for t in await response.json() if t["type"] == "page")
            async with http.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                ids = iter(range(1, 10**6))

                async def send(method: str, **params) -> None:
                    await ws.send_str(json.dumps({"id": next(ids), "method": method, "params": params}))

                await send("Network.enable")
                await send("Page.navigate", url=url)
                received: list[str] = []
                end = time.monotonic() + seconds
                while time.monotonic() < end:
                    try:
                        message = await asyncio.wait_for(ws.receive(), timeout=1)
                    except TimeoutError:
                        continue
                    if message.type != aiohttp.WSMsgType.TEXT:
                        break
                    event = json.loads(message.data)
                    if event.get("method") == "Network.webSocketFrameReceived":
                        frame = event["params"]["response"]
                        data = frame["payloadData"]
                        if frame.get("opcode") == 2:
                            data = base64.b64decode(data).decode("utf-8", "replace")
                        received.append(data)
                        if wanted in ANSI.sub("", "".join(received)):
                            break
                await send(
                    "Runtime.evaluate",
                    expression="document.querySelector('.intro > div').innerText",
                    returnByValue=True,
                )
                title = ""
                for _ in range(50):
                    reply = json.loads((await ws.receive()).data)
                    if "result" in reply and "result" in reply["result"]:
                        title = reply["result"]["result"].get("value", "")
                        break
        return title, ANSI.sub("", "".join(received))
    finally:
        browser.kill()
        browser.wait()


@pytest.mark.timeout(180)
def test_the_served_app_shows_the_example_inquiry_in_a_browser(tmp_path):
    pytest.importorskip("textual_serve", reason="textual-serve is not installed (pip install 'inquiry[web]')")
    pytest.importorskip("aiohttp", reason="aiohttp comes with textual-serve")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "inquiry", "--notebook", str(tmp_path / "nb"), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, 60)
        title, text = asyncio.run(page_frames(f"http://127.0.0.1:{port}/", tmp_path / "profile", 90, QUESTION))
        assert title.strip() == "inquiry"  # the served page names the app
        assert QUESTION in text, f"the page received no screen with the question; it got: {text[-2000:]!r}"
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()

"""A small Chrome DevTools Protocol client for the browser tests: headless Chromium driven over
`--remote-debugging-pipe` (file descriptors 3 and 4, NUL-separated JSON), so no port is opened,
nothing is fetched, and no package beyond the standard library is needed.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """The path of an installed Chromium (Debian's `chromium` first), or None."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class Browser:
    """One headless Chromium; `tab()` opens a page to drive, `first` is one opened at start."""

    def __init__(self, executable: str, profile: Path, width: int = 1280, height: int = 900) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire() -> None:  # in the child: its fd 3 reads our commands, its fd 4 writes replies
            read, write = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10), fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(read, 3)
            os.dup2(write, 4)

        args = [executable, "--headless", "--remote-debugging-pipe", f"--user-data-dir={profile}", "--no-sandbox",
                "--disable-gpu", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--disable-background-networking", "--disable-sync", "--disable-component-update", "--mute-audio",
                "--hide-scrollbars", "--allow-file-access-from-files", f"--window-size={width},{height}",
                "about:blank"]
        self.process = subprocess.Popen(args, pass_fds=(3, 4), preexec_fn=wire, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._next = 0
        self._replies: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._write = threading.Lock()
        self.events: dict[str, list[dict[str, Any]]] = {}
        threading.Thread(target=self._read, daemon=True).start()
        self.first = self.tab()

    def tab(self) -> Tab:
        """A new page (tab), attached, with its events collected."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        with self._lock:
            self.events[session] = []
        tab = Tab(self, session, target)
        for domain in ("Page", "Runtime", "Log"):
            tab.send(f"{domain}.enable")
        return tab

    def _read(self) -> None:
        buffer = b""
        while True:
            chunk = os.read(self._from_chrome, 1 << 16)
            if not chunk:
                return
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "id" in message and message["id"] in self._replies:
                    self._replies[message["id"]].put(message)
                elif message.get("sessionId") in self.events:
                    with self._lock:
                        self.events[message["sessionId"]].append(message)

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
             timeout: float = 30) -> dict[str, Any]:
        """Send a command (to the browser, or to a session) and return its result."""
        with self._lock:
            self._next += 1
            ident = self._next
            self._replies[ident] = queue.Queue()
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        with self._write:  # one message at a time: tabs may be driven from several threads
            os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        reply = self._replies[ident].get(timeout=timeout)
        del self._replies[ident]
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def close(self) -> None:
        """Close the browser and wait for it to end."""
        try:
            self.call("Browser.close", timeout=5)
        except (RuntimeError, queue.Empty):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_chrome)


class Tab:
    """One page of the browser: navigation, script, input, screenshots, and its error events."""

    def __init__(self, browser: Browser, session: str, target: str) -> None:
        self.browser = browser
        self.session = session
        self.target = target

    def close(self) -> None:
        """Close the page (a page left in the background cannot take screenshots)."""
        self.browser.call("Target.closeTarget", {"targetId": self.target})
        self.browser.call("Target.activateTarget", {"targetId": self.browser.first.target})

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send a command to the page."""
        return self.browser.call(method, params, self.session)

    def take_events(self) -> list[dict[str, Any]]:
        """The page events received since the last call."""
        with self.browser._lock:
            taken, self.browser.events[self.session] = self.browser.events[self.session], []
        return taken

    def wait_for(self, method: str, timeout: float = 15) -> dict[str, Any]:
        """Wait for the next page event named `method` (events before it are kept)."""
        deadline = time.monotonic() + timeout
        events = self.browser.events
        while time.monotonic() < deadline:
            with self.browser._lock:
                for i, event in enumerate(events[self.session]):
                    if event.get("method") == method:
                        return events[self.session].pop(i)
            time.sleep(0.005)
        raise TimeoutError(f"no {method} within {timeout}s")

    def open(self, url: str) -> str | None:
        """Load `url` and wait for its load event; the navigation's error text, if any."""
        self.take_events()
        result = self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            return str(result["errorText"])
        self.wait_for("Page.loadEventFired")
        return None

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (awaiting a promise)."""
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and failed loads reported since the last call."""
        found = []
        for event in self.take_events():
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append("exception: " + params["exceptionDetails"].get("text", ""))
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append("console: " + " ".join(str(a.get("value", "")) for a in params.get("args", [])))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append(f"log: {params['entry'].get('text')} {params['entry'].get('url', '')}")
        return found

    def viewport(self, width: int, height: int, mobile: bool = False) -> None:
        """Emulate a window of this size (a phone when `mobile`)."""
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})

    def screenshot(self, path: Path, full: bool = True) -> None:
        """Save a PNG of the whole page, or only of what the window shows."""
        size = self.send("Page.getLayoutMetrics")["cssContentSize" if full else "cssLayoutViewport"]
        size = {"width": size.get("width", size.get("clientWidth")), "height": size.get("height", size.get("clientHeight"))}
        shot = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": {
            "x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 6000), "scale": 1}})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))

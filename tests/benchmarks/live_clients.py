"""Many simulated phones in one asyncio process: a minimal HTTP/1.1 client, polling and SSE participants.

A thread per phone (loadgen.run_python) would cost more CPU than the server on a 2-core machine; 300 coroutines
on raw asyncio streams cost a few per cent of one core. The client speaks just enough HTTP/1.1: keep-alive when
the server allows it (gunicorn gthread), a new connection per request otherwise (gunicorn sync closes), bodies by
Content-Length or chunked, and for SSE a stream read line by line.
"""

from __future__ import annotations

import asyncio
import math
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

CSRF_RE = re.compile(rb'name="csrf_token" value="([^"]+)"')
SESSION_RE = re.compile(r"session=([^;]+)")
VERSION_RE = re.compile(rb'data-version="(\d+)"')
KIND_RE = re.compile(rb'data-kind="([a-z_]*)"')
PROMPT_RE = re.compile(rb'data-prompt="(\d*)"')


class Connection:
    """One keep-alive connection (reopened whenever the server closes it)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> tuple[int, dict[str, str], bytes]:
        for attempt in (1, 2):  # a kept-alive connection the server closed meanwhile: retry once on a new one
            if self.writer is None:
                await self._open()
            assert self.reader is not None
            assert self.writer is not None
            lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: keep-alive"]
            lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
            if body:
                lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
            try:
                self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
                await self.writer.drain()
                status, response_headers = await read_head(self.reader)
                data = await read_body(self.reader, response_headers, status)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                self.close()
                if attempt == 2:
                    raise
                continue
            if response_headers.get("connection", "").lower() == "close":
                self.close()
            return status, response_headers, data
        raise OSError("unreachable")


async def read_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    status_line = await reader.readline()
    if not status_line:
        raise asyncio.IncompleteReadError(b"", None)
    status = int(status_line.split()[1])
    headers: dict[str, str] = {}
    set_cookies: list[str] = []
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if name == "set-cookie":
            set_cookies.append(value.strip())
        headers[name] = value.strip()
    headers["set-cookie"] = "\n".join(set_cookies)
    return status, headers


async def read_body(reader: asyncio.StreamReader, headers: dict[str, str], status: int) -> bytes:
    if status in (204, 304):
        return b""
    if "content-length" in headers:
        return await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int((await reader.readline()).split(b";")[0].strip(), 16)
            if size == 0:
                await reader.readline()
                return b"".join(parts)
            parts.append(await reader.readexactly(size))
            await reader.readline()
    return await reader.read()  # until the server closes


@dataclass
class Stats:
    """What all phones saw. Times are time.monotonic() of this process (the moderator runs in it too)."""

    polls: int = 0
    poll_statuses: dict[int, int] = field(default_factory=dict)
    poll_latencies: list[float] = field(default_factory=list)
    #: (phone, version, time received)
    seen: list[tuple[int, int, float]] = field(default_factory=list)
    answer_latencies: list[float] = field(default_factory=list)
    answer_statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    joined: int = 0
    answers_started: int = 0

    def count(self, table: dict[int, int], status: int) -> None:
        table[status] = table.get(status, 0) + 1


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(p / 100 * len(ordered)))) - 1]


@dataclass
class Phone:
    """A participant's page: load it once, then poll /live every ``interval`` s and answer each new prompt."""

    index: int
    port: int
    public_id: str
    cookie: str  # the participant cookie "name=value"
    interval: float
    think: tuple[float, float]
    answer_form: Callable[[int, int], dict[str, str]]  # (phone, prompt id) → form fields
    stats: Stats
    rng: random.Random
    version: int = 0
    session: str = ""
    csrf: str = ""
    answered: set[int] = field(default_factory=set)

    def _headers(self, htmx: bool) -> dict[str, str]:
        cookie = self.cookie + (f"; session={self.session}" if self.session else "")
        headers = {"Cookie": cookie}
        if htmx:
            headers["HX-Request"] = "true"
        return headers

    async def load(self, connection: Connection) -> None:
        status, headers, body = await connection.request("GET", f"/f/{self.public_id}", self._headers(False))
        if status != 200:
            raise RuntimeError(f"phone {self.index}: page load gave {status}")
        if found := SESSION_RE.search(headers.get("set-cookie", "")):
            self.session = found[1]
        if found := CSRF_RE.search(body):
            self.csrf = found[1].decode()
        self.version = int(VERSION_RE.search(body)[1])
        self.stats.joined += 1

    async def run(self, stop: asyncio.Event) -> None:
        connection = Connection(self.port)
        try:
            await self.load(connection)
        except (OSError, RuntimeError, asyncio.IncompleteReadError, TypeError):
            self.stats.errors += 1
            return
        await asyncio.sleep(self.rng.random() * self.interval)  # phones do not poll in lockstep
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        tasks: set[asyncio.Task] = set()
        while not stop.is_set():
            started = time.monotonic()
            try:
                status, _headers, body = await connection.request(
                    "GET", f"/f/{self.public_id}/live?v={self.version}", self._headers(True)
                )
            except (OSError, asyncio.IncompleteReadError, ValueError):
                self.stats.errors += 1
                connection.close()
            else:
                now = time.monotonic()
                self.stats.polls += 1
                self.stats.poll_latencies.append(now - started)
                self.stats.count(self.stats.poll_statuses, status)
                if status == 200 and (found := VERSION_RE.search(body)):
                    self.version = int(found[1])
                    self.stats.seen.append((self.index, self.version, now))
                    kind, prompt = KIND_RE.search(body), PROMPT_RE.search(body)
                    if kind and kind[1] == b"prompt" and prompt and prompt[1]:
                        prompt_id = int(prompt[1])
                        if prompt_id not in self.answered:
                            self.answered.add(prompt_id)
                            task = asyncio.create_task(self.answer(prompt_id))
                            tasks.add(task)
                            task.add_done_callback(tasks.discard)
            # A tick every interval, and never two polls in flight: a page that fell behind skips missed ticks.
            next_at = max(next_at + self.interval, loop.time())
            await asyncio.sleep(max(0.0, next_at - loop.time()))
        connection.close()
        if tasks:  # answers being typed or sent: let them finish, so every acknowledged answer is counted
            await asyncio.wait(list(tasks), timeout=30)

    async def answer(self, prompt_id: int) -> None:
        """Type for a while, then send the answer as htmx does (its own connection, as a browser would)."""
        await asyncio.sleep(self.rng.uniform(*self.think))
        self.stats.answers_started += 1
        form = {"csrf_token": self.csrf, **self.answer_form(self.index, prompt_id)}
        connection = Connection(self.port)
        started = time.monotonic()
        try:
            status, _headers, _body = await connection.request(
                "POST",
                f"/f/{self.public_id}/prompts/{prompt_id}/answer",
                {**self._headers(True), "X-CSRFToken": self.csrf},
                urlencode(form).encode(),
            )
        except (OSError, asyncio.IncompleteReadError, ValueError):
            self.stats.errors += 1
            return
        finally:
            connection.close()
        self.stats.answer_latencies.append(time.monotonic() - started)
        self.stats.count(self.stats.answer_statuses, status)


@dataclass
class SseStats:
    connected: int = 0
    seen: list[tuple[int, int, float]] = field(default_factory=list)
    errors: int = 0


async def sse_listener(index: int, port: int, path: str, stats: SseStats, stop: asyncio.Event) -> None:
    """Hold one event stream open and note when each version arrives."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())
        await writer.drain()
        status, _headers = await read_head(reader)
        if status != 200:
            raise OSError(f"SSE status {status}")
    except (OSError, asyncio.IncompleteReadError, ValueError):
        stats.errors += 1
        return
    stats.connected += 1
    try:
        while not stop.is_set():
            try:
                line = await asyncio.wait_for(reader.readline(), timeout=0.5)
            except TimeoutError:
                continue  # nothing new: keep listening (and look at ``stop`` again)
            if not line:
                raise OSError("stream closed")
            marker = line.find(b"data: ")  # chunk-size lines of a chunked stream are skipped by this
            if marker >= 0:
                stats.seen.append((index, int(line[marker + 6 :].strip()), time.monotonic()))
    except (OSError, asyncio.IncompleteReadError, ValueError):
        stats.errors += 1
    finally:
        writer.close()

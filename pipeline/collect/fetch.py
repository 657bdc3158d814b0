"""Fetching over HTTP: the edge of the collect stage where institutions' servers misbehave.

One GET per file, with connect and read timeouts and an overall deadline per file,
retries with exponential back-off on connection errors, truncated bodies, 429 and 5xx
(honouring Retry-After up to a cap), conditional requests (ETag, Last-Modified), a size
cap, redirects followed only to https or within the same host, and content sniffing:
what comes back must look like the CSV, XLSX or JSON it claims to be. Every failure is
a :class:`FetchError` with a reason in Chinese.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import PurePosixPath
from types import TracebackType
from typing import Any
from urllib.parse import SplitResult, urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter

from pipeline import __version__
from pipeline.base.readers import decode_text

RETRY_STATUSES = {429, 500, 502, 503, 504}
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
# A host name as a browser would accept it: no spaces, controls or URL delimiters.
_HOST = re.compile(r"[^\s\x00-\x1f\x7f/\\?#@]+")


class FetchError(Exception):
    """A file could not be obtained; ``reason`` says why, for the collection report."""

    def __init__(self, reason: str, status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class Fetched:
    """A response worth keeping: 200 with a body, or 304 (unchanged) without one."""

    url: str
    status: int
    content: bytes
    etag: str = ""
    last_modified: str = ""

    @property
    def unchanged(self) -> bool:
        return self.status == 304


@dataclass
class Fetcher:
    """Settings of one collection run; tests shorten the waits.

    The defaults, in seconds unless said otherwise:

    - ``connect_timeout`` 5 and ``read_timeout`` 30: one connection attempt, and one
      wait for the next bytes from the server.
    - ``deadline`` 60: everything one file may take (connecting, headers, the whole
      body, redirects, retries and the waits between them). A server sending one
      byte a second never trips the read timeout; the deadline ends it.
    - ``attempts`` 4, ``backoff`` 1 (doubling between attempts); a ``Retry-After`` is
      honoured up to ``max_wait`` 30. A server asking for longer, or for a wait that
      would overrun the deadline, fails the file at once.
    - ``max_bytes`` 20 MiB per file; ``max_redirects`` 5.
    - ``run_budget`` 2,700 (45 minutes): a whole collection. Downloads under way then
      are cut, and institutions not yet begun are recorded as failed.
    - ``workers`` 8: institutions fetched at the same time, each from its own server,
      so that a few slow servers do not hold up the rest.
    """

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    deadline: float = 60.0
    attempts: int = 4
    backoff: float = 1.0
    max_wait: float = 30.0
    max_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    run_budget: float = 45 * 60.0
    workers: int = 8
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        # requests sessions are not made to be shared between threads: one per thread.
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        """This thread's session."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = _Session()
            session.headers["User-Agent"] = f"integrity-portal/{__version__} (monthly collection)"
            session.trust_env = False  # no proxy or .netrc from the environment
            adapter = _WatchedAdapter()
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._local.session = session
        return session

    def get(
        self, url: str, etag: str = "", last_modified: str = "", until: float | None = None
    ) -> Fetched:
        """GET ``url`` with retries; raise :class:`FetchError` when it cannot be had.

        ``until`` is a :func:`time.monotonic` moment when the whole run ends: the file
        then fails even if its own deadline is later."""
        end = time.monotonic() + self.deadline
        run_ends = until is not None and until < end
        if until is not None:
            end = min(end, until)
        expired = (
            "本次采集时间已用完，下载未完成"
            if run_ends
            else f"下载超时（超过 {self.deadline:g} 秒仍未完成）"
        )
        last: FetchError | None = None
        for attempt in range(self.attempts):
            try:
                return self._once(url, etag, last_modified, end)
            except _Expired as exc:
                raise FetchError(expired, last.status if last else None) from exc
            except _Retry as retry:
                last = FetchError(retry.reason, retry.status)
                if attempt + 1 == self.attempts:
                    break
                if retry.after is not None and retry.after > self.max_wait:
                    raise FetchError(
                        f"服务器要求 {retry.after:.0f} 秒后重试，超过上限 {self.max_wait:g} 秒",
                        retry.status,
                    ) from retry
                wait = retry.after if retry.after is not None else self.backoff * 2**attempt
                wait = min(wait, self.max_wait)
                if time.monotonic() + wait >= end:
                    raise FetchError(
                        f"{retry.reason}；再等 {wait:g} 秒重试将超过时限，已放弃"
                        f"（已尝试 {attempt + 1} 次）",
                        retry.status,
                    ) from retry
                self.sleep(wait)
        assert last is not None
        raise FetchError(f"{last.reason}（已重试 {self.attempts - 1} 次）", last.status)

    def _once(self, url: str, etag: str, last_modified: str, end: float) -> Fetched:
        """One attempt, redirects included, cut short when ``end`` comes."""
        if time.monotonic() >= end:
            raise _Expired
        with _Watch(end) as watch:
            try:
                got = self._attempt(url, etag, last_modified, end)
            except Exception as exc:
                # Whatever a read on a socket shut down under it raised: the deadline.
                if watch.expired:
                    raise _Expired from exc
                raise
        # A socket shut down at the deadline can also look like a body that simply
        # ended: what was read then is not the file.
        if watch.expired:
            raise _Expired
        return got

    def _attempt(self, url: str, etag: str, last_modified: str, end: float) -> Fetched:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        origin = urlsplit(url)
        for _ in range(self.max_redirects + 1):
            connect = max(0.01, min(self.connect_timeout, end - time.monotonic()))
            try:
                response = self.session.get(
                    url,
                    headers=headers,
                    timeout=(connect, self.read_timeout),
                    allow_redirects=False,
                    stream=True,
                )
            except requests.Timeout as exc:
                raise _Retry("服务器响应超时") from exc
            except requests.exceptions.SSLError as exc:
                raise FetchError("https 加密连接失败（证书无效或协议错误）") from exc
            except requests.ConnectionError as exc:
                raise _Retry("无法连接服务器") from exc
            except requests.RequestException as exc:
                raise FetchError(f"请求无法发出（{type(exc).__name__}：{exc}）") from exc
            with response:
                if response.status_code in REDIRECT_STATUSES:
                    url = _redirect_target(
                        url, response.headers.get("Location"), origin, response.status_code
                    )
                    continue
                if response.status_code == 304:
                    return Fetched(url, 304, b"", etag, last_modified)
                if response.status_code in RETRY_STATUSES:
                    raise _Retry(
                        f"服务器返回 HTTP {response.status_code}",
                        response.status_code,
                        _retry_after(response.headers.get("Retry-After")),
                    )
                if response.status_code != 200:
                    raise FetchError(
                        f"服务器返回 HTTP {response.status_code}", response.status_code
                    )
                content = self._read(response)
                if "html" in response.headers.get("Content-Type", "").lower():
                    raise FetchError("服务器返回的是网页（HTML），不是数据文件", 200)
                return Fetched(
                    url,
                    200,
                    content,
                    response.headers.get("ETag", ""),
                    response.headers.get("Last-Modified", ""),
                )
        raise FetchError(f"跳转次数超过 {self.max_redirects} 次")

    def _read(self, response: requests.Response) -> bytes:
        declared = response.headers.get("Content-Length", "").strip()
        # isdigit() alone accepts "²", which int() refuses; nineteen digits and more are
        # past any cap (and int() refuses more than 4,300).
        digits = declared.isascii() and declared.isdigit()
        length = (int(declared) if len(declared) < 19 else 10**18) if digits else None
        if length is not None and length > self.max_bytes:
            raise FetchError(f"文件过大（{declared[:20]} 字节，上限 {self.max_bytes} 字节）", 200)
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(f"文件过大（超过上限 {self.max_bytes} 字节）", 200)
                chunks.append(chunk)
        except requests.exceptions.ContentDecodingError as exc:
            raise FetchError("内容解压失败（服务器声明压缩，但内容无法解压）", 200) from exc
        except requests.exceptions.ChunkedEncodingError as exc:
            expected = f"，应为 {length} 字节" if length is not None else ""
            raise _Retry(f"下载不完整（连接提前关闭，收到 {size} 字节{expected}）") from exc
        except requests.RequestException as exc:
            raise _Retry(f"下载中断或超时（已收到 {size} 字节）") from exc
        # With compression the declared length is that of the compressed bytes.
        if length is not None and size != length and not response.headers.get("Content-Encoding"):
            raise _Retry(f"下载不完整（收到 {size} 字节，应为 {length} 字节）")
        return b"".join(chunks)


def _redirect_target(url: str, location: str | None, origin: SplitResult, status: int) -> str:
    """Where a redirect may go: http(s) only, and plain http only within the same host."""
    location = (location or "").strip()
    if not location:
        raise FetchError("服务器要求跳转，但没有给出跳转地址", status)
    try:
        target = urljoin(url, location)
        parts = urlsplit(target)
        parts.port  # noqa: B018 (raises ValueError when the port is not one)
    except ValueError as exc:
        raise FetchError(f"跳转地址格式错误：{location[:200]}", status) from exc
    if parts.scheme not in ("http", "https"):
        scheme = parts.scheme or "无"
        raise FetchError(f"拒绝跳转到不支持的协议（{scheme}）：{target[:200]}", status)
    if not parts.hostname or not _HOST.fullmatch(parts.hostname):
        raise FetchError(f"跳转地址格式错误：{location[:200]}", status)
    if parts.scheme != "https" and (origin.scheme != "http" or parts.netloc != origin.netloc):
        raise FetchError(f"拒绝跳转到非 https 地址：{target[:200]}", status)
    return target


class _Retry(Exception):
    def __init__(self, reason: str, status: int | None = None, after: float | None = None):
        super().__init__(reason)
        self.reason, self.status, self.after = reason, status, after


class _Expired(Exception):
    """The deadline of the file (or the end of the run) came during an attempt."""


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        # Twelve digits are already thousands of years; longer ones overflow a float.
        return float(value) if len(value) <= 12 else 1e12
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, OverflowError):
        return None


# The watch of the attempt running in this thread, for the connections it uses.
_current = threading.local()


class _Watch:
    """Shuts down the sockets of one attempt when its deadline comes. A read blocked
    in any phase (status line, headers or body) then returns at once: a per-read
    timeout alone lets a server that trickles bytes keep a fetch going for ever."""

    def __init__(self, end: float):
        self.expired = False
        self._done = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(max(0.0, end - time.monotonic()), self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Watch:
        _current.watch = self
        self._timer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._timer.cancel()
        _current.watch = None
        with self._lock:
            self._done = True
            self._sockets.clear()

    def add(self, sock: Any) -> None:
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            if self.expired:
                _shut(sock)
            elif not self._done:
                self._sockets.append(sock)

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    # The plain socket's shutdown even for TLS: SSLSocket.shutdown would also drop
    # its TLS state under the thread still reading from it.
    with contextlib.suppress(OSError):  # already closed
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _watched(sock: Any) -> None:
    watch: _Watch | None = getattr(_current, "watch", None)
    if watch is not None and sock is not None:
        watch.add(sock)


class _WatchedHTTPConnection(urllib3.connection.HTTPConnection):
    def getresponse(self) -> Any:
        _watched(self.sock)
        return super().getresponse()


class _WatchedHTTPSConnection(urllib3.connection.HTTPSConnection):
    def getresponse(self) -> Any:
        _watched(self.sock)
        return super().getresponse()


class _WatchedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _Session(requests.Session):
    def get_redirect_target(self, resp: requests.Response) -> None:
        # The Fetcher follows (and checks) redirects itself; requests would otherwise
        # parse every Location ahead, and a malformed one raised a bare ValueError.
        return None


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter with connections that the running attempt's watch can shut."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPPool,
            "https": _WatchedHTTPSPool,
        }


def sniff(name: str, content: bytes) -> str | None:
    """Why ``content`` is not the data file ``name`` says it is, or None when it is."""
    suffix = PurePosixPath(name).suffix.lower()
    if not content.strip():
        return "文件为空"
    head = content[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")) or b"<html" in head:
        return "内容是网页（HTML），不是数据文件（可能是错误页或登录页）"
    if suffix == ".md":
        try:
            decode_text(content)
        except UnicodeDecodeError:
            return "案例文件应为 UTF-8 或 GBK 编码的 Markdown"
        return (
            None
            if content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"---")
            else "案例文件应以 YAML 前置信息（---）开头"
        )
    if suffix == ".xlsx":
        return None if content.startswith(b"PK\x03\x04") else "不是有效的 Excel（.xlsx）文件"
    if suffix == ".json":
        try:
            json.loads(content.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return "不是有效的 JSON 文件"
        except RecursionError:
            return "JSON 嵌套层数过深，不是报送数据"
        return None
    if suffix == ".csv":
        if b"\x00" in content[:4096]:
            return "不是文本格式的 CSV 文件"
        try:
            decode_text(content)
        except UnicodeDecodeError:
            return "CSV 文件编码无法识别（应为 UTF-8 或 GB18030/GBK）"
        return None
    return f"不支持的文件类型：{suffix or '无扩展名'}"

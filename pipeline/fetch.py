"""Fetching over HTTP: the edge of the collect stage where institutions' servers misbehave.

One GET per file, with connect and read timeouts, retries with exponential back-off on
connection errors, 429 and 5xx (honouring Retry-After), conditional requests (ETag,
Last-Modified), a size cap, redirects followed only to https or within the same host,
and content sniffing: what comes back must look like the CSV, XLSX or JSON it claims
to be. Every failure is a :class:`FetchError` with a reason in Chinese.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit

import requests

from pipeline import __version__

RETRY_STATUSES = {429, 500, 502, 503, 504}
REDIRECT_STATUSES = {301, 302, 303, 307, 308}


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
    """Settings of one collection run; tests shorten the waits."""

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    attempts: int = 4
    backoff: float = 1.0
    max_wait: float = 60.0
    max_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"integrity-portal/{__version__} (monthly collection)"
        self.session.trust_env = False  # no proxy or .netrc from the environment

    def get(self, url: str, etag: str = "", last_modified: str = "") -> Fetched:
        """GET ``url`` with retries; raise :class:`FetchError` when it cannot be had."""
        last: FetchError | None = None
        for attempt in range(self.attempts):
            try:
                return self._once(url, etag, last_modified)
            except _Retry as retry:
                last = FetchError(retry.reason, retry.status)
                if attempt + 1 < self.attempts:
                    wait = retry.after if retry.after is not None else self.backoff * 2**attempt
                    self.sleep(min(wait, self.max_wait))
        assert last is not None
        raise FetchError(f"{last.reason}（已重试 {self.attempts - 1} 次）", last.status)

    def _once(self, url: str, etag: str, last_modified: str) -> Fetched:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        origin = urlsplit(url)
        for _ in range(self.max_redirects + 1):
            try:
                response = self.session.get(
                    url,
                    headers=headers,
                    timeout=(self.connect_timeout, self.read_timeout),
                    allow_redirects=False,
                    stream=True,
                )
            except requests.Timeout as exc:
                raise _Retry("服务器响应超时") from exc
            except requests.ConnectionError as exc:
                raise _Retry("无法连接服务器") from exc
            with response:
                if response.status_code in REDIRECT_STATUSES:
                    target = urljoin(url, response.headers.get("Location", ""))
                    parts = urlsplit(target)
                    if parts.scheme != "https" and parts.netloc != origin.netloc:
                        raise FetchError(f"拒绝跳转到非 https 地址：{target}", response.status_code)
                    url = target
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
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(f"文件过大（{int(declared)} 字节，上限 {self.max_bytes} 字节）", 200)
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(f"文件过大（超过上限 {self.max_bytes} 字节）", 200)
                chunks.append(chunk)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise _Retry("下载中断或超时") from exc
        return b"".join(chunks)


class _Retry(Exception):
    def __init__(self, reason: str, status: int | None = None, after: float | None = None):
        super().__init__(reason)
        self.reason, self.status, self.after = reason, status, after


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


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
            content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return "案例文件应为 UTF-8 编码的 Markdown"
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
        return None
    if suffix == ".csv":
        if b"\x00" in content[:4096]:
            return "不是文本格式的 CSV 文件"
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                content.decode(encoding)
                return None
            except UnicodeDecodeError:
                continue
        return "CSV 文件编码无法识别（应为 UTF-8 或 GB18030/GBK）"
    return f"不支持的文件类型：{suffix or '无扩展名'}"

"""Omnitron's three endpoints that an upload uses, over HTTP with httpx (a well-kept client:
connection reuse, verified TLS, timeouts and multipart bodies streamed from the file, which we
would otherwise write by hand).

As Akinon documents them (the "Old Order Item Migration" page: "Example Request", "Control"):

- ``POST {url}/api/i1/auth/login/`` ``{"username", "password"}`` → ``{"key": token}``
- ``POST {url}/api/v1/remote/{channel}/migrations/start/order_item/``, ``Authorization: Token
  …``, the file in the multipart field ``file`` → ``{"migration_id": "…"}``
- ``GET {url}/api/v1/remote/{channel}/migrations/{migration_id}/progress/`` →
  ``{"total_count", "error_count", "processed_count"}``

What can be retried is retried here: a connection that could not be made (nothing was sent), a
429 (Omnitron refused, nothing was stored: after its Retry-After), and any failure of a progress
read (reads change nothing). A post that was sent and got no clear answer is never repeated: it
is ``OutcomeUnknown``, and the ledger keeps it so.
"""

from __future__ import annotations

import ipaddress
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import OimtoolError, OptionError
from ..tuning import DEFAULT, Tuning

if TYPE_CHECKING:
    import httpx

LOCAL_HOSTS = ("localhost", "localhost.localdomain")


class UploadStop(OimtoolError):
    """What stops an upload (exit 2): the message says what happened and what to do."""


class AuthFailed(UploadStop):
    pass


class Refused(UploadStop):
    """Omnitron answered a post with an error: nothing was stored."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class NotSent(UploadStop):
    """The post could not be sent at all (no connection): nothing was stored."""


class OutcomeUnknown(UploadStop):
    """The post was sent, and no clear answer came back: Omnitron may have stored it."""


class Counts(NamedTuple):
    total: int
    processed: int
    errors: int

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.processed >= self.total


def base_url(url: str, *, allow_http: bool = False) -> str:
    """The Omnitron address, checked: https (http only for this machine, or when allowed), a
    host, no query; without its trailing slash."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise OptionError("--url", f"{url!r} is not an Omnitron address: give "
                          "https://omnitron.example.com")
    if parts.query or parts.fragment:
        raise OptionError("--url", f"{url!r}: give the address without ?query or #fragment")
    if parts.scheme == "http" and not allow_http and not _local(parts.hostname):
        raise OptionError("--url", f"{url!r} is plain http: the token and the order data would "
                          "cross the network unencrypted. Use https, or --allow-http if you "
                          "must")
    return urllib.parse.urlunsplit(
        (parts.scheme, parts.netloc.lower(), parts.path.rstrip("/"), "", ""))


def _local(host: str) -> bool:
    if host.lower() in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _detail(response: httpx.Response) -> str:
    """A short, printable piece of an answer's body."""
    text = response.text.strip().replace("\n", " ")
    return text[:200] + ("…" if len(text) > 200 else "")


class Omnitron:
    """A connection to one Omnitron and sales channel. ``verify``: True, or the path of a CA
    bundle."""

    def __init__(self, url: str, channel: str, *, verify: bool | Path = True,
                 tuning: Tuning = DEFAULT, sleep: Callable[[float], None] = time.sleep) -> None:
        import ssl

        import httpx

        from .. import __version__

        self.url = url
        self.channel = channel
        self.tuning = tuning
        self.sleep = sleep
        context: ssl.SSLContext | bool = verify if isinstance(verify, bool) else (
            ssl.create_default_context(cafile=str(verify)))
        timeout = httpx.Timeout(tuning.http_timeout, connect=min(10.0, tuning.http_timeout))
        self._client = httpx.Client(verify=context, timeout=timeout, headers={
            "User-Agent": f"oimtool/{__version__}", "Accept": "application/json"})
        self._token: str | None = None

    def __enter__(self) -> Omnitron:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def _remote(self, path: str) -> str:
        return f"{self.url}/api/v1/remote/{self.channel}/migrations/{path}"

    def _headers(self) -> dict[str, str]:
        if self._token is None:
            raise AuthFailed("no token: set OIMTOOL_TOKEN, or give --token-file or --username")
        return {"Authorization": f"Token {self._token}"}

    def use_token(self, token: str) -> None:
        token = token.strip()
        if not token or any(c.isspace() for c in token):
            raise AuthFailed("the token is empty or has spaces in it: check OIMTOOL_TOKEN or the "
                             "token file")
        self._token = token

    def login(self, username: str, password: str) -> None:
        """Exchange a user name and password for a token."""
        import httpx

        address = f"{self.url}/api/i1/auth/login/"
        try:
            response = self._client.post(address, json={"username": username,
                                                         "password": password})
        except httpx.HTTPError as exc:
            raise UploadStop(f"cannot log in at {address}: {_reason(exc)}") from None
        if response.status_code in (400, 401, 403):
            raise AuthFailed(f"Omnitron refused the login of {username!r} "
                             f"({response.status_code}): check the user name and password")
        key = _json(response).get("key") if response.is_success else None
        if not isinstance(key, str):
            raise AuthFailed(f"the login at {address} answered {response.status_code} without "
                             f"a token: {_detail(response)}")
        self.use_token(key)

    def start(self, path: Path, name: str) -> str:
        """Post one part; its migration id. Raises Refused, NotSent, OutcomeUnknown,
        AuthFailed."""
        import httpx

        address = self._remote("start/order_item/")
        waits = 0
        while True:
            try:
                with open(path, "rb") as body:
                    response = self._client.post(
                        address, headers=self._headers(),
                        files={"file": (name, body, "application/json")})
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol,
                    httpx.LocalProtocolError) as exc:
                if waits < self.tuning.http_retries and isinstance(exc, httpx.ConnectError):
                    waits += 1
                    self.sleep(self._backoff(waits))
                    continue
                raise NotSent(f"cannot reach {self.url}: {_reason(exc)}; nothing was "
                              "sent") from None
            except httpx.HTTPError as exc:
                raise OutcomeUnknown(f"the post was sent, but {_reason(exc)}") from None
            status = response.status_code
            if status == 429 and waits < self.tuning.http_retries:
                waits += 1
                self.sleep(self._retry_after(response, waits))
                continue
            if status in (401, 403):
                raise AuthFailed(f"Omnitron refused the token ({status}): "
                                 f"{_detail(response) or 'not allowed'}; check OIMTOOL_TOKEN "
                                 "and the user's rights on the channel")
            if status >= 500:
                raise OutcomeUnknown(f"Omnitron answered {status} {response.reason_phrase}: "
                                     "it may have stored the file before failing")
            if not response.is_success:
                where = response.headers.get("location")
                raise Refused(f"Omnitron refused the file ({status} {response.reason_phrase})"
                              + (f", redirecting to {where}: check --url" if where else
                                 f": {_detail(response)}"), status)
            migration = _json(response).get("migration_id")
            if not isinstance(migration, str) or not migration:
                raise OutcomeUnknown(f"Omnitron answered {status} without a migration_id: "
                                     f"{_detail(response)}")
            return migration

    def progress(self, migration_id: str) -> Counts:
        """The counts of a migration, read again (with waits) when the read fails."""
        import httpx

        address = self._remote(f"{urllib.parse.quote(migration_id, safe='')}/progress/")
        tries = 0
        while True:
            problem: str
            wait: float | None = None
            try:
                response = self._client.get(address, headers=self._headers())
            except httpx.HTTPError as exc:
                problem = _reason(exc)
            else:
                status = response.status_code
                if status in (401, 403):
                    raise AuthFailed(f"Omnitron refused the token ({status}) when asked for "
                                     "progress: check OIMTOOL_TOKEN")
                if response.is_success:
                    counts = _counts(_json(response))
                    if counts is not None:
                        return counts
                    problem = f"an answer without counts: {_detail(response)}"
                elif status == 429 or status >= 500:
                    problem = f"{status} {response.reason_phrase}"
                    if status == 429:
                        wait = self._retry_after(response, tries + 1)
                else:
                    raise UploadStop(f"Omnitron answered {status} {response.reason_phrase} for "
                                     f"the progress of migration {migration_id}: "
                                     f"{_detail(response)}")
            tries += 1
            if tries > self.tuning.http_retries:
                raise UploadStop(f"cannot read the progress of migration {migration_id}: "
                                 f"{problem} ({tries} tries)")
            self.sleep(self._backoff(tries) if wait is None else wait)

    def _backoff(self, tries: int) -> float:
        return float(min(self.tuning.poll_max, self.tuning.poll_first * 2 ** (tries - 1)))

    def _retry_after(self, response: httpx.Response, tries: int) -> float:
        value = response.headers.get("retry-after", "")
        try:
            seconds = float(value)
        except ValueError:
            return self._backoff(tries)
        return max(0.0, min(seconds, self.tuning.retry_after_max))


def _reason(exc: Exception) -> str:
    import httpx

    kinds = {httpx.ConnectTimeout: "the connection timed out",
             httpx.ReadTimeout: "no answer came in time",
             httpx.WriteTimeout: "sending timed out",
             httpx.RemoteProtocolError: "the connection was closed before an answer",
             httpx.ConnectError: "the connection failed"}
    for kind, text in kinds.items():
        if isinstance(exc, kind):
            return f"{text} ({exc})" if str(exc) else text
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        value = response.json()
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _counts(value: dict[str, Any]) -> Counts | None:
    try:
        numbers = [value[key] for key in ("total_count", "processed_count", "error_count")]
    except KeyError:
        return None
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in numbers):
        return None
    return Counts(*numbers)

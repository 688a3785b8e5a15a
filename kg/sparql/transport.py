"""The one HTTP client of kg.sparql, on httpx: one URL check, credentials, deadline, size cap.

Both clients of a remote store send through :class:`Client`: the SPARQL 1.1 Protocol
client of ``kg query --endpoint`` (:mod:`kg.sparql.http`) and the Graph Store Protocol
loader of ``kg load --endpoint`` (:mod:`kg.sparql.remote`). No connection is opened
unless a client is given an endpoint. What it guarantees, whichever client sends:

- one URL check (:func:`check_url`) for both commands: http or https, a host, a valid
  port, and no user info at all (``user:pw@``, ``user@``, even an empty ``@``); user
  info is looked for first, so no message ever echoes a URL that holds it;
- the credentials (:func:`authorization`, from the variable named by ``--auth-env``)
  travel only in the ``Authorization`` header of requests to the URL given, and are
  never part of an error;
- nothing from the environment is used: httpx runs with ``trust_env=False``, so
  ``http_proxy``, ``https_proxy``, ``all_proxy``, ``no_proxy``, ``~/.netrc`` (``NETRC``),
  ``SSL_CERT_FILE`` and ``SSL_CERT_DIR`` are not read and requests go straight to the
  host named (TLS is checked against certifi's roots); nor is ``SSLKEYLOGFILE``, which
  would make Python's ssl write the session keys to a file;
- a redirect is never followed (it would take the header elsewhere): it comes back as an
  :class:`HttpError` saying where it pointed;
- ``timeout`` bounds each whole exchange (connecting, sending, the answer's headers and
  its whole body), not each read: every socket operation gets the time left before one
  deadline (:class:`_Deadline`), so a server trickling a byte a second is cut on time;
- the answer is streamed and cut at ``max_bytes`` (decoded bytes, so a compressed bomb
  counts at its real size).

What went wrong is one exception, :class:`HttpError`, whose ``kind`` says what happened;
the words of the final message are the client's, since the option to change is its own.
HttpError never leaves kg.sparql: each client turns it into its KgError.
"""

from __future__ import annotations

import base64
import math
import os
import time
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

import httpcore
import httpx

from kg import __version__

__all__ = [
    "MAX_RESPONSE_BYTES",
    "Client",
    "HttpError",
    "Kind",
    "Reply",
    "authorization",
    "check_url",
]

# The largest answer read (after decompression): a SPARQL answer or a manifest graph
# bigger than this is refused rather than held in memory.
MAX_RESPONSE_BYTES = 256 * 1024 * 1024
_WRITE_CHUNK = 64 * 1024  # a body is sent in pieces, each within the deadline


class Kind(Enum):
    """What went wrong with an exchange."""

    URL = "url"  # the URL was refused before anything was sent
    STATUS = "status"  # an answer with a status that is not 2xx (a redirect included)
    TIMEOUT = "timeout"  # the whole exchange did not end within the timeout
    REFUSED = "refused"  # nothing listens at the address
    LOST = "lost"  # the connection broke, or the answer was garbled
    TOO_LARGE = "too large"  # the answer passed max_bytes
    UNREACHABLE = "unreachable"  # DNS, TLS and the like: waiting will not help


class HttpError(Exception):
    """An exchange that gave no usable answer; the client that sent it words the message."""

    def __init__(
        self,
        kind: Kind,
        detail: str,
        *,
        status: int = 0,
        reason: str = "",
        text: str = "",
        location: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail  # never holds credentials or a URL's user info
        self.status = status
        self.reason = reason
        self.text = text  # the start of an error answer's body: what the server says
        self.location = location  # where a refused redirect pointed, else None


@dataclass(frozen=True)
class Reply:
    """A 2xx answer: its whole body and its media type ("" when it declares none)."""

    body: bytes
    media_type: str


def check_url(url: str) -> str:
    """``url`` when it is an http(s) URL with a host and no user info, else HttpError(URL).

    User info is checked before anything else, and a message never quotes such a URL.
    """
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # a bracket left open: echo nothing, it may hold a secret
        raise HttpError(Kind.URL, "the URL cannot be read; give an http(s) URL") from None
    if "@" in parts.netloc:
        raise HttpError(
            Kind.URL,
            "the URL holds credentials (user info, before an '@'); put them in an environment "
            "variable and pass its name with --auth-env",
        )
    try:
        scheme, host, _ = parts.scheme, parts.hostname, parts.port
    except ValueError:
        raise HttpError(Kind.URL, f"{url!r} has no valid port; give an http(s) URL") from None
    if scheme not in ("http", "https") or not host:
        raise HttpError(Kind.URL, f"{url!r} is not an http(s) URL with a host")
    return url


def authorization(variable: str, environ: Mapping[str, str] = os.environ) -> str | None:
    """The Authorization header from ``$variable``, or None when it is unset or empty.

    The variable holds ``user:password`` (HTTP basic) or a token (HTTP bearer).
    """
    secret = environ.get(variable, "")
    if not secret:
        return None
    if ":" in secret:
        return "Basic " + base64.b64encode(secret.encode("utf-8")).decode("ascii")
    return f"Bearer {secret}"


class _Deadline(httpcore.NetworkBackend):
    """httpcore's sync sockets, each operation given only the time left before ``until``.

    httpx's timeouts apply to each read and write alone; this makes them one deadline for
    the exchange, which :meth:`Client.send` sets before each request.
    """

    def __init__(self) -> None:
        self.inner = httpcore.SyncBackend()
        self.until = math.inf

    def left(self, timeout: float | None, timed_out: type[Exception]) -> float:
        remaining = self.until - time.monotonic()
        if remaining <= 0:
            raise timed_out("the deadline passed")
        return remaining if timeout is None else min(timeout, remaining)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        left = self.left(timeout, httpcore.ConnectTimeout)
        stream = self.inner.connect_tcp(host, port, left, local_address, socket_options)
        return _Stream(stream, self)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("no unix sockets")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _Stream(httpcore.NetworkStream):
    """One connection whose reads and writes end by the backend's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, backend: _Deadline) -> None:
        self.inner = inner
        self.backend = backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, self.backend.left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        for start in range(0, len(buffer), _WRITE_CHUNK):
            piece = buffer[start : start + _WRITE_CHUNK]
            self.inner.write(piece, self.backend.left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        left = self.backend.left(timeout, httpcore.ConnectTimeout)
        return _Stream(self.inner.start_tls(ssl_context, server_hostname, left), self.backend)

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class _Transport(httpx.HTTPTransport):
    """httpx's transport on the deadline backend, with nothing taken from the environment."""

    def __init__(self, backend: _Deadline) -> None:
        super().__init__(trust_env=False)
        self._pool.close()
        # httpx builds its pool without a way to pass a network backend; this is the same
        # pool (no proxy, HTTP/1.1) on the deadline backend.
        context = httpx.create_ssl_context(trust_env=False)
        # Python's ssl would write the TLS keys to $SSLKEYLOGFILE: not this client's.
        context.keylog_filename = None  # type: ignore[assignment]
        self._pool = httpcore.ConnectionPool(ssl_context=context, network_backend=backend)


class Client:
    """Requests to one server with one set of credentials, one timeout, one size cap.

    ``detail_bytes`` caps how much of an error answer's body is kept for a message.
    """

    def __init__(
        self,
        authorization: str | None,
        timeout: float,
        max_bytes: int = MAX_RESPONSE_BYTES,
        detail_bytes: int = 300,
    ) -> None:
        self._authorization = authorization  # kept off repr: an object's default shows nothing
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.detail_bytes = detail_bytes
        self._deadline = _Deadline()
        self._http = httpx.Client(
            transport=_Transport(self._deadline),
            trust_env=False,
            follow_redirects=False,
            timeout=timeout,
            headers={"User-Agent": f"newskg/{__version__}"},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, method: str, url: str, body: bytes | None, headers: Mapping[str, str]) -> Reply:
        """The 2xx answer of one exchange, which ends within ``timeout``; else HttpError."""
        if self._authorization:
            headers = {**headers, "Authorization": self._authorization}
        self._deadline.until = time.monotonic() + self.timeout
        try:
            request = self._http.build_request(method, url, content=body, headers=headers)
            response = self._http.send(request, stream=True)
            try:
                if not response.is_success:
                    raise self._status(response)
                media_type = response.headers.get("content-type", "")
                return Reply(self._read(response), media_type.split(";")[0].strip().lower())
            finally:
                response.close()
        except httpx.TimeoutException as exc:
            raise HttpError(Kind.TIMEOUT, f"no answer within {self.timeout:g} s") from exc
        except httpx.ConnectError as exc:
            raise _connect_error(exc) from exc
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise HttpError(Kind.LOST, f"the connection was lost ({type(exc).__name__})") from exc
        except httpx.DecodingError as exc:
            raise HttpError(Kind.LOST, "the answer's encoding cannot be decoded") from exc
        except httpx.HTTPError as exc:  # an invalid URL, TLS, a protocol httpx refuses
            raise HttpError(Kind.UNREACHABLE, " ".join(str(exc).split())[:200]) from exc
        finally:
            self._deadline.until = math.inf

    def _read(self, response: httpx.Response) -> bytes:
        """The whole body, streamed, or HttpError(TOO_LARGE) once it passes ``max_bytes``."""
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise self._too_large()
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise self._too_large()
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self) -> HttpError:
        mib = self.max_bytes / (1024 * 1024)
        return HttpError(Kind.TOO_LARGE, f"the answer is larger than {mib:g} MiB")

    def _status(self, response: httpx.Response) -> HttpError:
        text = b""
        try:
            for chunk in response.iter_bytes():
                text += chunk
                if len(text) >= self.detail_bytes:
                    break
        except httpx.HTTPError:
            pass  # the body is only for the message
        location = response.headers.get("location") if response.is_redirect else None
        if location is not None:
            location = str(response.url.join(location))
        return HttpError(
            Kind.STATUS,
            f"HTTP {response.status_code} {response.reason_phrase}",
            status=response.status_code,
            reason=response.reason_phrase,
            text=text[: self.detail_bytes].decode("utf-8", "replace"),
            location=location,
        )


def _connect_error(exc: httpx.ConnectError) -> HttpError:
    """Refused or unreachable, from the OSError below httpx's ConnectError."""
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, OSError):
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, ConnectionRefusedError):
        return HttpError(Kind.REFUSED, "connection refused")
    if isinstance(cause, OSError) and cause.strerror:
        return HttpError(Kind.UNREACHABLE, " ".join(cause.strerror.split()))
    return HttpError(Kind.UNREACHABLE, " ".join(str(exc).split())[:200] or "cannot connect")

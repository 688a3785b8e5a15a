"""The one HTTP transport of kg.sparql: urllib requests with credentials, timeouts, no redirects.

Both clients of a remote store send through :class:`Transport`: the SPARQL 1.1 Protocol
client of ``kg query --endpoint`` (:mod:`kg.sparql.http`) and the Graph Store Protocol
loader of ``kg load --endpoint`` (:mod:`kg.sparql.remote`). It is the standard library's
urllib, so nothing else is installed, and no connection is opened unless a client is
given an endpoint.

What it guarantees, whichever client sends:

- the credentials travel only in the ``Authorization`` header, added here and nowhere
  else; they are never part of an error, so no message can print them;
- a redirect is never followed, since urllib would resend the header to wherever it
  points: it comes back as a :class:`StatusError` saying where it pointed;
- every request has the timeout it was given.

What went wrong is classified here, once, from urllib's many shapes of failure: an
answer with an error status (:class:`StatusError`), or no answer at all
(:class:`ConnectionFailed`, with the cause unwrapped). The words of the message are the
client's, since the option to change and the fix to suggest are its own. These two
exceptions never leave kg.sparql: each client turns them into its KgError.
"""

from __future__ import annotations

import base64
import http.client
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from email.message import Message
from http.client import HTTPMessage
from typing import IO

__all__ = ["ConnectionFailed", "StatusError", "Transport", "TransportError", "authorization"]


class TransportError(Exception):
    """A request got no usable answer; the client that sent it words the message."""


class StatusError(TransportError):
    """The server answered with a status that is not 2xx (a redirect included)."""

    def __init__(self, code: int, reason: str, text: str, location: str | None) -> None:
        super().__init__(f"HTTP {code} {reason}")
        self.code = code
        self.reason = reason
        self.text = text  # the start of the answer's body: what the server says is wrong
        self.location = location  # where a refused redirect pointed, else None


class ConnectionFailed(TransportError):
    """No answer: ``cause`` is what urllib reported (a TimeoutError, an OSError, a text)."""

    def __init__(self, cause: object) -> None:
        super().__init__(str(cause))
        self.cause = cause

    @property
    def timed_out(self) -> bool:
        """No answer came within the timeout."""
        return isinstance(self.cause, TimeoutError)

    @property
    def refused(self) -> bool:
        """Nothing listens at the address."""
        return isinstance(self.cause, ConnectionRefusedError)

    @property
    def lost(self) -> bool:
        """The connection broke (reset, closed, a garbled answer); refused ones included."""
        return isinstance(self.cause, ConnectionError | http.client.HTTPException)


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


class _Redirected(urllib.error.HTTPError):
    """A redirect refused by :class:`_NoRedirect`: the error urllib raises, and where it led."""

    def __init__(
        self, url: str, code: int, msg: str, headers: Message, fp: IO[bytes], location: str
    ) -> None:
        super().__init__(url, code, msg, headers, fp)
        self.location = location


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: urllib would resend the Authorization header to the new host."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> None:
        # The error urllib raises for a redirect it does not handle, so the answer (status,
        # body) reads like any other; newurl is urllib's own, resolved and quoted.
        raise _Redirected(req.full_url, code, msg, headers, fp, newurl)


class Transport:
    """Requests to one server with one set of credentials and one timeout.

    ``detail_bytes`` caps how much of an error answer's body is read for a message
    (None: all of it).
    """

    def __init__(
        self, authorization: str | None, timeout: float, detail_bytes: int | None = None
    ) -> None:
        self._authorization = authorization  # kept off repr: an object's default shows nothing
        self.timeout = timeout
        self.detail_bytes = detail_bytes
        self._opener = urllib.request.build_opener(_NoRedirect)

    def send(
        self, method: str, url: str, body: bytes | None, headers: Mapping[str, str]
    ) -> tuple[bytes, str]:
        """The answer's body and media type ("" when it declares no headers at all)."""
        if self._authorization:
            headers = {**headers, "Authorization": self._authorization}
        request = urllib.request.Request(url, body, dict(headers), method=method)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                media_type = response.headers.get_content_type() if response.headers else ""
                return response.read(), str(media_type)
        except urllib.error.HTTPError as exc:
            location = exc.location if isinstance(exc, _Redirected) else None
            raise StatusError(exc.code, exc.reason, self._text(exc), location) from exc
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            cause = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            raise ConnectionFailed(cause) from exc

    def _text(self, error: urllib.error.HTTPError) -> str:
        """The start of an error answer's body, closed after; "" when it cannot be read."""
        try:
            data = error.read() if self.detail_bytes is None else error.read(self.detail_bytes)
            return data.decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            return ""
        finally:
            error.close()

"""The one HTTP client base every vendor client builds on.

It owns what is the same for all vendors: explicit timeouts, retries with exponential
backoff and jitter on connection errors, timeouts, 429 and 5xx (honouring
`Retry-After`, capped in total time), latency metrics, and secret redaction. A vendor
subclass says how to authenticate a request (`prepare`), which answers are worth a
retry (`retry_after`) and how its error bodies map to typed errors (`raise_for_error`).
"""

from __future__ import annotations

import email.utils
import functools
import logging
import random
import time
from collections.abc import Iterable

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, stop_after_delay

from console import redaction
from vendors.core import answers, errors, outbound
from vendors.core.metrics import VENDOR_HTTP_SECONDS

logger = logging.getLogger("vendors.http")

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=20.0, pool=5.0)


@functools.cache
def tls_context():
    """One verifying TLS context per process, as httpx would build it (certifi, or SSL_CERT_FILE /
    SSL_CERT_DIR). Every poll builds a client, and loading the CA bundle costs tens of milliseconds."""
    return httpx.create_ssl_context()


_NOT_DECODED = object()


class _Retry(Exception):
    """Internal: a failed attempt worth another try; `final` is raised if none is left."""

    def __init__(self, final: errors.VendorError, delay: float | None = None):
        super().__init__(str(final))
        self.final = final
        self.delay = delay


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class VendorClient:
    """Base client: subclass it per vendor and call `self.request(...)`.

    `secrets` are registered for redaction so they never reach a log line or an
    exception text, whatever path they travel.
    """

    vendor = "vendor"
    #: Attempts per request (first try included), and the cap on the time spent retrying.
    max_attempts = 4
    max_retry_seconds = 30.0
    backoff_initial = 0.5
    backoff_max = 8.0

    def __init__(self, base_url: str, *, secrets: Iterable[str | None] = (), timeout: httpx.Timeout | None = None,
                 transport: httpx.BaseTransport | None = None, max_attempts: int | None = None,
                 max_retry_seconds: float | None = None, backoff_initial: float | None = None,
                 backoff_max: float | None = None, headers: dict | None = None):
        redaction.register(*secrets)
        if max_attempts is not None:
            self.max_attempts = max_attempts
        if max_retry_seconds is not None:
            self.max_retry_seconds = max_retry_seconds
        if backoff_initial is not None:
            self.backoff_initial = backoff_initial
        if backoff_max is not None:
            self.backoff_max = backoff_max
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout or DEFAULT_TIMEOUT,
            # every connection passes the outbound policy (the default transport would also honour
            # HTTP(S)_PROXY, behind which the address really connected to cannot be checked)
            transport=transport or outbound.guarded_transport(verify=tls_context()),
            headers={"User-Agent": "ops-console/1.0", **(headers or {})},
            follow_redirects=False,
        )

    # -- hooks for vendor subclasses ---------------------------------------------------
    def prepare(self, request: httpx.Request) -> None:
        """Add authentication to a request just before it is sent (signatures need the final form)."""

    def retry_after(self, response: httpx.Response) -> float | None:
        """Seconds to wait before retrying this answer, 0 for "now", None when not retryable."""
        if response.status_code == 429 or response.status_code >= 500:
            return parse_retry_after(response.headers.get("Retry-After")) or 0.0
        return None

    def garbled(self, response: httpx.Response) -> str | None:
        """Why a successful answer to a read cannot be what the vendor meant (a truncated body, a proxy's
        HTML page), or None. Such an answer is read again, like a 5xx. The base checks JSON answers
        (decoding them once: `json` reuses it) and HTML pages; vendors add their own formats."""
        content_type = response.headers.get("content-type", "")
        start = response.content.lstrip()[:5].lower()
        if "html" in content_type and start.startswith(b"<") and start != b"<?xml":  # not mislabelled data
            return "an HTML page instead of an API answer"
        if "json" in content_type and response.content:
            try:
                response._decoded = response.json()
            except (ValueError, RecursionError):  # RecursionError: nested deeper than Python's stack
                return "a body that is not valid JSON"
        return None

    def refused_without_acting(self, response: httpx.Response) -> bool:
        """True when the vendor surely did nothing with the request, so even a write may be resent."""
        return response.status_code == 429

    def raise_for_error(self, response: httpx.Response) -> None:
        """Turn an unsuccessful answer into a typed error. Vendors override to read their documented error
        shape; any other answer is described (`answers.described`), never relayed."""
        if response.is_success:
            return
        raise self.error_for_status(response.status_code, answers.described(response),
                                    retry_after=parse_retry_after(response.headers.get("Retry-After")))

    @staticmethod
    def error_for_status(status: int, message: str, *, retry_after: float | None = None,
                         **kw) -> errors.VendorError:
        if status == 401:
            return errors.AuthenticationError(message, status=status, **kw)
        if status == 403:
            return errors.VendorForbids(message, status=status, **kw)
        if status == 404:
            return errors.NotFound(message, status=status, **kw)
        if status == 409:
            return errors.Conflict(message, status=status, **kw)
        if status == 429:
            return errors.RateLimited(message, status=status, retry_after=retry_after, **kw)
        if status >= 500:
            return errors.VendorUnavailable(message, status=status, **kw)
        return errors.InvalidRequest(message, status=status, **kw)

    # -- the request loop --------------------------------------------------------------
    def request(self, method: str, url: str, *, idempotent: bool = True, **kwargs) -> httpx.Response:
        """Send a request with retries; return a successful response or raise a VendorError.

        A request that is not `idempotent` (a write that must not happen twice) is retried
        only when the vendor cannot have acted on it: the connection was never made, or
        the answer was 429. A timeout or a 5xx after sending it is reported, not resent.

        The first attempt runs bare: a poll sends thousands of requests that succeed, and
        building the retry machinery for each cost more than the request's own Python work.
        """
        try:
            return self._attempt(method, url, idempotent, **kwargs)
        except _Retry as failure:
            if self.max_attempts <= 1:
                raise failure.final from None
            time.sleep(self._backoff(failure, failed=1))

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            return self._backoff(exc, failed=state.attempt_number + 1)

        retrying = Retrying(
            retry=retry_if_exception_type(_Retry),
            wait=wait,
            stop=stop_after_attempt(self.max_attempts - 1) | stop_after_delay(self.max_retry_seconds),
            reraise=True,
        )
        try:
            return retrying(self._attempt, method, url, idempotent, **kwargs)
        except _Retry as exhausted:
            raise exhausted.final from None

    def _backoff(self, failure, *, failed: int) -> float:
        """Exponential backoff with jitter after `failed` attempts, at least the vendor's hint."""
        exponential = self.backoff_initial * 2 ** (failed - 1) + random.uniform(0, self.backoff_initial)
        hinted = failure.delay if isinstance(failure, _Retry) and failure.delay else 0.0
        return min(max(hinted, min(exponential, self.backoff_max)), self.max_retry_seconds)

    def _attempt(self, method: str, url: str, idempotent: bool, **kwargs) -> httpx.Response:
        request = self.http.build_request(method, url, **kwargs)
        self.prepare(request)
        started = time.perf_counter()
        outcome = "error"
        try:
            response = self.http.send(request, stream=True)
            answers.read_bounded(response, vendor=self.vendor)  # never more than CONSOLE_MAX_RESPONSE_MB
            outcome = str(response.status_code)
        except answers.AnswerTooLarge:
            outcome = "too_large"
            raise
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise _Retry(errors.VendorUnavailable(f"Could not reach {self.vendor}: {exc.__class__.__name__}"))
        except httpx.TimeoutException:
            outcome = "timeout"
            text = f"{self.vendor} did not answer in time ({method} {request.url.path})"
            if not idempotent:
                raise errors.OutcomeUnknown(text) from None
            raise _Retry(errors.VendorUnavailable(text))
        except httpx.TransportError as exc:
            text = f"Lost the connection to {self.vendor}: {exc.__class__.__name__}"
            if not idempotent:
                raise errors.OutcomeUnknown(text) from None
            raise _Retry(errors.VendorUnavailable(text))
        finally:
            VENDOR_HTTP_SECONDS.labels(self.vendor, outcome).observe(time.perf_counter() - started)
        logger.debug("%s %s %s -> %s", self.vendor, method, request.url.path, response.status_code)
        delay = self.retry_after(response)
        if delay is not None and not idempotent and not self.refused_without_acting(response):
            delay = None
        if not idempotent and response.status_code in (502, 504):  # a gateway: the vendor may have acted
            raise errors.OutcomeUnknown(f"{self.vendor} answered {response.status_code} from a gateway "
                                        f"({method} {request.url.path}); it may have acted on the request",
                                        status=response.status_code)
        if delay is not None:
            try:
                self.raise_for_error(response)
            except errors.VendorError as final:
                raise _Retry(final, delay) from None
            raise _Retry(errors.VendorUnavailable(f"{self.vendor} asked to retry later"), delay)
        self.raise_for_error(response)
        if idempotent:
            problem = self.garbled(response)
            if problem:
                raise _Retry(errors.ProtocolError(
                    f"{self.vendor} answered {method} {request.url.path} with {problem}"), 0.0)
        return response

    def json(self, response: httpx.Response):
        """Decode a JSON body or raise ProtocolError naming the request."""
        decoded = getattr(response, "_decoded", _NOT_DECODED)
        if decoded is not _NOT_DECODED:
            return decoded
        try:
            return response.json()
        except (ValueError, RecursionError):
            raise errors.ProtocolError(
                f"{self.vendor} answered {response.request.method} {response.request.url.path} "
                f"with a body that is not valid JSON"
            ) from None

    def close(self) -> None:
        self.http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

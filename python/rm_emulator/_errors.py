"""Asserting that an official SDK raised a given emulator error: `expect_error` (`rm_error`)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from typing import Dict, Optional, Set

__all__ = ["SdkError", "ErrorCatalog", "classify", "expect_error", "ErrorExpectation"]


@dataclass
class SdkError:
    """What an SDK exception says, whichever SDK raised it."""

    sdk: str
    """``"tea"`` (alibabacloud_tea_openapi), ``"legacy"`` (aliyunsdkcore) or ``"huawei"``."""
    code: Optional[str]
    status: Optional[int]
    message: Optional[str]
    request_id: Optional[str]
    exception: BaseException


def classify(error: BaseException) -> Optional[SdkError]:
    """The SDK error ``error`` is, or None when it is not an official SDK's service error.
    Only SDKs already imported are looked at: an exception cannot come from one that is not."""
    tea = sys.modules.get("alibabacloud_tea_openapi.exceptions")
    if tea is not None and isinstance(error, tea.AlibabaCloudException):
        return SdkError("tea", error.code, error.status_code, error.message, error.request_id, error)
    legacy = sys.modules.get("aliyunsdkcore.acs_exception.exceptions")
    if legacy is not None and isinstance(error, legacy.ServerException):
        return SdkError("legacy", error.get_error_code(), error.get_http_status(), error.get_error_msg(),
                        error.get_request_id(), error)
    huawei = sys.modules.get("huaweicloudsdkcore.exceptions.exceptions")
    if huawei is not None and isinstance(error, huawei.ServiceResponseException):
        return SdkError("huawei", error.error_code, error.status_code, error.error_msg, error.request_id, error)
    return None


class ErrorCatalog:
    """Code → HTTP statuses, from ``resourcemanager-emulator errors`` (both clouds)."""

    def __init__(self, statuses: Dict[str, Set[int]]):
        self.statuses = statuses

    @classmethod
    def from_binary(cls, binary: str) -> "ErrorCatalog":
        statuses: Dict[str, Set[int]] = {}
        for cloud in ("alibaba", "huawei"):
            try:
                table = subprocess.run([binary, "errors", "--cloud", cloud], capture_output=True, text=True,
                                       timeout=30, check=True).stdout
            except (OSError, subprocess.SubprocessError):
                continue
            for line in table.splitlines():
                cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
                if len(cells) >= 2 and cells[0].startswith("`") and cells[1].isdigit():
                    statuses.setdefault(cells[0].strip("`"), set()).add(int(cells[1]))
        return cls(statuses)

    def status_of(self, code: str) -> Optional[Set[int]]:
        return self.statuses.get(code)


class ErrorExpectation:
    """The context manager `expect_error` answers; after the block, ``.error`` is the `SdkError`
    and ``.value`` the SDK's exception itself."""

    def __init__(self, code: str, status: Optional[int], message: Optional[str], sdk: Optional[str],
                 catalog: Optional[ErrorCatalog]):
        self.code = code
        self.status = status
        self.message = message
        self.sdk = sdk
        self.catalog = catalog
        self.error: Optional[SdkError] = None

    @property
    def value(self) -> BaseException:
        assert self.error is not None, "the block has not raised yet"
        return self.error.exception

    def __enter__(self) -> "ErrorExpectation":
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        __tracebackhide__ = True
        if error is None:
            raise AssertionError(f"expected the SDK to raise {self.code}, but the call succeeded")
        if not isinstance(error, Exception):
            return False  # KeyboardInterrupt, SystemExit: not ours to judge
        found = classify(error)
        if found is None:
            raise AssertionError(
                f"expected an SDK service error {self.code}, got {type(error).__module__}."
                f"{type(error).__name__}: {error}") from error
        self.error = found
        if self.sdk is not None and found.sdk != self.sdk:
            raise AssertionError(f"expected a {self.sdk} SDK error, got {found.sdk}'s "
                                 f"{type(error).__name__}") from error
        if found.code != self.code:
            raise AssertionError(f"expected code {self.code}, got {found.code} "
                                 f"(HTTP {found.status}: {found.message})") from error
        expected = {self.status} if self.status is not None else (
            self.catalog.status_of(self.code) if self.catalog else None)
        if expected and found.status not in expected:
            raise AssertionError(f"{self.code}: expected HTTP {'/'.join(map(str, sorted(expected)))}, "
                                 f"got {found.status}") from error
        if self.message is not None and self.message not in (found.message or ""):
            raise AssertionError(f"{self.code}: expected the message to contain {self.message!r}, "
                                 f"got {found.message!r}") from error
        return True


def expect_error(code: str, status: Optional[int] = None, message: Optional[str] = None, *,
                 sdk: Optional[str] = None, catalog: Optional[ErrorCatalog] = None) -> ErrorExpectation:
    """``with expect_error("HandshakeStatusMismatch"): client.accept_handshake(...)`` passes when
    the block raises an official SDK's own service exception (Tea's ``AlibabaCloudException``
    family, the legacy ``ServerException``, Huawei's ``ServiceResponseException`` family) with
    that code and the HTTP status the catalog gives it (or ``status``), and ``message`` in its
    message when given; ``sdk`` demands a given SDK. Anything else fails the test."""
    return ErrorExpectation(code, status, message, sdk, catalog)


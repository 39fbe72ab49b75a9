"""The pytest plugin (entry point ``pytest11``, on by install).

Fixtures:

- ``rm_emulator`` (session): a running `Emulator`, one per xdist worker (each worker is its own
  session), started from the bundled binary on a free port, or the server ``--rm-emulator-url``
  names.
- ``rm_client`` (function): ``rm_client(role, sdk="tea"|"tea-v1"|"legacy"|"huawei", **options)``,
  an official SDK client signing as the world's ``role`` key (or a key id), pointed at it.
- ``rm_error`` (function): ``with rm_error("HandshakeStatusMismatch"): ...`` asserts the block
  raised the SDK's own exception with that code and its catalog HTTP status.
- ``rm_requests`` (function): a `RequestLog`: ``rm_requests.assert_called(action, times=1, **params)``.

Every test that uses one of them starts from a clean emulator: both worlds reset, fault rules
and the journal emptied, the clock back to system time. ``@pytest.mark.rm_no_reset`` skips that;
``@pytest.mark.rm_world("world.toml")`` then loads that world file (relative to the test file)
for the test. Options: ``--rm-emulator-url URL`` (reuse a running server), ``--rm-emulator-binary
PATH``, ``--rm-emulator-fixtures PATH`` (the session's start world), ``--rm-emulator-admin-token``.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Union

import pytest

from ._clients import huawei_home
from ._emulator import Emulator, connect, find_binary, running
from ._errors import ErrorCatalog, ErrorExpectation, expect_error
from ._keys import Key
from ._requests import RequestLog

__all__ = ["rm_emulator", "rm_client", "rm_error", "rm_requests"]

_FIXTURES = ("rm_emulator", "rm_client", "rm_error", "rm_requests")
_CATALOG = pytest.StashKey[Optional[ErrorCatalog]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("rm-emulator", "resourcemanager-emulator")
    group.addoption("--rm-emulator-url", default=os.environ.get("RM_EMULATOR_URL"), metavar="URL",
                    help="use the emulator already running at URL instead of starting one "
                         "(default: $RM_EMULATOR_URL)")
    group.addoption("--rm-emulator-binary", default=None, metavar="PATH",
                    help="start this emulator binary instead of the bundled one "
                         "(default: $RM_EMULATOR_BINARY, then the installed one)")
    group.addoption("--rm-emulator-fixtures", default=None, metavar="PATH",
                    help="the world file the session's emulator starts with (default: the embedded world)")
    group.addoption("--rm-emulator-admin-token", default=os.environ.get("RM_EMULATOR_ADMIN_TOKEN"),
                    metavar="TOKEN", help="the control plane's admin token")


def pytest_configure(config: pytest.Config) -> None:
    _import_huawei_sdk_with_a_scratch_home()
    config.addinivalue_line("markers", "rm_no_reset: do not reset the emulator before this test")
    config.addinivalue_line("markers", "rm_world(path): load this world file (TOML or JSON, relative to "
                                       "the test file) into the emulator before this test")


def _import_huawei_sdk_with_a_scratch_home() -> None:
    """huaweicloudsdkcore writes ``$HOME/.huaweicloud/application_id`` when first imported; test
    modules import it at collection, so import it first here, under a scratch HOME."""
    if "huaweicloudsdkcore.http.user_agent" in sys.modules or importlib.util.find_spec("huaweicloudsdkcore") is None:
        return
    with huawei_home():
        try:
            importlib.import_module("huaweicloudsdkcore.http.user_agent")
        except Exception:  # noqa: BLE001 - a broken SDK install is reported when a client is asked for
            pass


@pytest.fixture(scope="session")
def rm_emulator(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """The session's emulator (one per xdist worker)."""
    config = request.config
    url = config.getoption("--rm-emulator-url")
    token = config.getoption("--rm-emulator-admin-token")
    if url:
        yield connect(url, admin_token=token)
        return
    flags = {"admin_token": token} if token else {}
    with running(port=0, fixtures=config.getoption("--rm-emulator-fixtures"),
                 binary=config.getoption("--rm-emulator-binary"), **flags) as emulator:
        yield emulator


def _catalog(config: pytest.Config) -> Optional[ErrorCatalog]:
    if _CATALOG not in config.stash:
        try:
            catalog: Optional[ErrorCatalog] = ErrorCatalog.from_binary(
                find_binary(config.getoption("--rm-emulator-binary")))
        except Exception:  # noqa: BLE001 - no binary (a --rm-emulator-url run): codes only
            catalog = None
        config.stash[_CATALOG] = catalog
    return config.stash[_CATALOG]


def _world_path(item: pytest.Item, marker: pytest.Mark) -> Path:
    if len(marker.args) != 1:
        raise pytest.UsageError(f"{item.nodeid}: rm_world takes one argument, the world file's path")
    path = Path(marker.args[0])
    if not path.is_absolute():
        path = Path(str(item.path)).parent / path
    return path


@pytest.fixture(autouse=True)
def _rm_emulator_per_test(request: pytest.FixtureRequest) -> None:
    """Resets the emulator before each test that uses it; loads ``rm_world``."""
    item = request.node
    world = item.get_closest_marker("rm_world")
    if not any(name in request.fixturenames for name in _FIXTURES) and world is None:
        return  # a test that does not use the emulator never starts one
    emulator: Emulator = request.getfixturevalue("rm_emulator")
    if item.get_closest_marker("rm_no_reset") is None:
        emulator.reset()
        emulator.faults.clear()
        emulator.clear_requests()
        emulator.clock.system()
    if world is not None:
        emulator.load(_world_path(item, world))


@pytest.fixture
def rm_client(rm_emulator: Emulator) -> Callable[..., Any]:
    """``rm_client(role, sdk="tea", **options)``: an official client signing as ``role``
    (``"management"``, ``"invitee"``, ``"sts"``, … or an access key id), pointed at the emulator.
    ``sdk``: ``"tea"`` (V3), ``"tea-v1"`` (V1 HMAC-SHA1), ``"legacy"`` (AcsClient) or ``"huawei"``."""

    def make(role: Union[str, Key], sdk: str = "tea", **options: Any) -> Any:
        return rm_emulator.client(role, sdk=sdk, **options)

    return make


@pytest.fixture
def rm_error(rm_emulator: Emulator, request: pytest.FixtureRequest) -> Callable[..., ErrorExpectation]:
    """``with rm_error(code, status=None, message=None, sdk=None): ...``: the block must raise
    the SDK's own exception with ``code`` and its HTTP status (from the emulator's catalog)."""
    catalog = _catalog(request.config)

    def expect(code: str, status: Optional[int] = None, message: Optional[str] = None, *,
               sdk: Optional[str] = None) -> ErrorExpectation:
        return expect_error(code, status, message, sdk=sdk, catalog=catalog)

    return expect


@pytest.fixture
def rm_requests(rm_emulator: Emulator) -> RequestLog:
    """The request journal of this test: ``assert_called(action, times=…, **params)``, ``calls()``."""
    return RequestLog(rm_emulator)

"""rm_emulator: the resourcemanager-emulator binary for Python tests.

Start the bundled emulator for a block and drive it::

    import rm_emulator

    with rm_emulator.running(port=0) as emu:
        emu.endpoint                     # "http://127.0.0.1:PORT"
        emu.keys["invitee"]              # the default world's invitee key (Alibaba)
        emu.keys.huawei["management"]    # Huawei's management account key
        client = emu.client("invitee")   # alibabacloud-resourcemanager20200331, pointed at it
        emu.clock.advance("14d")
        emu.faults.add("AcceptHandshake", "Throttling.User", times=1)
        emu.requests(action="AcceptHandshake", code="none")
        emu.reset()

Installed, the pytest plugin (`rm_emulator.pytest_plugin`) provides the fixtures
``rm_emulator``, ``rm_client``, ``rm_error`` and ``rm_requests``.
"""

from ._clients import SDKS
from ._emulator import (
    BINARY_NAME,
    Clock,
    ControlError,
    Emulator,
    EmulatorError,
    Faults,
    connect,
    find_binary,
    running,
    start,
)
from ._errors import ErrorCatalog, ErrorExpectation, SdkError, classify, expect_error
from ._keys import ALIBABA_ROLES, HUAWEI_ROLES, Key, Keys
from ._requests import RequestLog

__all__ = [
    "ALIBABA_ROLES",
    "BINARY_NAME",
    "Clock",
    "ControlError",
    "Emulator",
    "EmulatorError",
    "ErrorCatalog",
    "ErrorExpectation",
    "Faults",
    "HUAWEI_ROLES",
    "Key",
    "Keys",
    "RequestLog",
    "SDKS",
    "SdkError",
    "classify",
    "connect",
    "expect_error",
    "find_binary",
    "running",
    "start",
]

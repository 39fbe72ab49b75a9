"""Assertions over the request journal: what `rm_requests` is."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional

if TYPE_CHECKING:
    from ._emulator import Emulator

__all__ = ["RequestLog"]


class RequestLog:
    """The emulator's request journal, as seen by one test (the per-test reset empties it)."""

    def __init__(self, emulator: "Emulator"):
        self.emulator = emulator

    def calls(self, action: Optional[str] = None, *, cloud: Optional[str] = None, code: Optional[str] = None,
              status: Optional[int] = None, access_key_id: Optional[str] = None,
              **params: Any) -> List[Dict[str, Any]]:
        """The journal entries (oldest first) for ``action`` whose fields and parameters match:
        ``code`` (``"none"``: successes), ``status``, ``access_key_id``, ``cloud``, and each
        of ``params`` compared as text with the request's parameters (Alibaba: ``HandshakeId=``;
        Huawei: query and path parameters, ``handshake_id=``)."""
        entries = self.emulator.requests(action=action, code=code, cloud=cloud)
        found = []
        for entry in entries:
            if status is not None and entry.get("status") != status:
                continue
            if access_key_id is not None and entry.get("access_key_id") != access_key_id:
                continue
            parameters = entry.get("parameters") or {}
            if all(name in parameters and str(parameters[name]) == str(value) for name, value in params.items()):
                found.append(entry)
        return found

    def assert_called(self, action: str, times: Optional[int] = None, *, cloud: Optional[str] = None,
                      code: Optional[str] = None, status: Optional[int] = None,
                      access_key_id: Optional[str] = None, **params: Any) -> List[Dict[str, Any]]:
        """Asserts ``action`` reached the emulator (exactly ``times`` times when given, else at
        least once) with matching fields and ``params`` (see `calls`); answers the entries."""
        __tracebackhide__ = True
        found = self.calls(action, cloud=cloud, code=code, status=status, access_key_id=access_key_id, **params)
        if (times is None and not found) or (times is not None and len(found) != times):
            seen = [
                f"{e.get('cloud')}:{e.get('action')} {e.get('status')} {e.get('code') or ''} "
                f"{ {k: v for k, v in (e.get('parameters') or {}).items() if k in params} or ''}".strip()
                for e in self.emulator.requests(cloud=cloud)
            ]
            wanted = "at least once" if times is None else f"{times} time{'s' if times != 1 else ''}"
            filters = {k: v for k, v in (("cloud", cloud), ("code", code), ("status", status),
                                         ("access_key_id", access_key_id)) if v is not None}
            raise AssertionError(
                f"expected {action} {wanted} with {dict(filters, **params) or 'any parameters'}, "
                f"found {len(found)}; the journal has: {seen or 'nothing'}")
        return found

    def assert_not_called(self, action: str, **filters: Any) -> None:
        """Asserts no matching ``action`` reached the emulator."""
        __tracebackhide__ = True
        self.assert_called(action, times=0, **filters)

    def clear(self) -> None:
        """Empties the journal."""
        self.emulator.clear_requests()

"""Starting the bundled binary, and the control-plane client (`/_emulator/`)."""

from __future__ import annotations

import atexit
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Union

from ._keys import Key, Keys

__all__ = [
    "BINARY_NAME",
    "Clock",
    "ControlError",
    "Emulator",
    "EmulatorError",
    "Faults",
    "connect",
    "find_binary",
    "running",
]

BINARY_NAME = "resourcemanager-emulator"
_BANNER = re.compile(r"^resourcemanager-emulator (\S+) listening at (http://\S+)\s*$")

PathLike = Union[str, "os.PathLike[str]"]
Document = Union[Mapping[str, Any], PathLike]


class EmulatorError(RuntimeError):
    """The emulator could not be found, started or reached."""


class ControlError(EmulatorError):
    """A control-plane call was refused: ``status`` and the emulator's ``{"error": …}`` text."""

    def __init__(self, method: str, path: str, status: int, message: str):
        super().__init__(f"{method} /_emulator{path}: {status} {message}")
        self.status = status
        self.message = message


def find_binary(binary: Optional[PathLike] = None) -> str:
    """The emulator binary: ``binary``, else ``$RM_EMULATOR_BINARY``, else the one this
    distribution installed into the interpreter's scripts directory, else ``PATH``."""
    candidates: List[str] = []
    if binary:
        candidates.append(os.fspath(binary))
    elif os.environ.get("RM_EMULATOR_BINARY"):
        candidates.append(os.environ["RM_EMULATOR_BINARY"])
    else:
        exe = BINARY_NAME + (".exe" if os.name == "nt" else "")
        for scheme_dir in {sysconfig.get_path("scripts"), os.path.dirname(sys.executable)}:
            if scheme_dir:
                candidates.append(os.path.join(scheme_dir, exe))
        found = shutil.which(BINARY_NAME)
        if found:
            candidates.append(found)
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise EmulatorError(
        f"no {BINARY_NAME} binary found (looked at: {', '.join(candidates) or 'nothing'}); "
        "install the resourcemanager-emulator wheel, or pass binary= / set RM_EMULATOR_BINARY"
    )


def _flag_args(flags: Mapping[str, Any]) -> List[str]:
    """``workers=2`` → ``--workers 2``; ``True`` → a bare flag; ``None``/``False`` → nothing."""
    args: List[str] = []
    for name, value in flags.items():
        flag = "--" + name.replace("_", "-")
        if value is None or value is False:
            continue
        if value is True:
            args.append(flag)
        else:
            args += [flag, os.fspath(value) if isinstance(value, os.PathLike) else str(value)]
    return args


def _duration(value: Union[str, timedelta, int, float]) -> str:
    if isinstance(value, timedelta):
        return f"{int(value.total_seconds())}s"
    if isinstance(value, (int, float)):
        return f"{int(value)}s"
    return value


def _instant(value: Union[str, datetime]) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


class Clock:
    """The emulator clock (``/_emulator/clock``); each call answers the clock's reading,
    ``{"now": "…Z", "frozen": bool, "offset_seconds": int}``."""

    def __init__(self, emulator: "Emulator"):
        self._emulator = emulator

    def _set(self, body: Dict[str, Any]) -> Dict[str, Any]:
        return self._emulator._call("POST", "/clock", body)

    def get(self) -> Dict[str, Any]:
        """The clock's reading."""
        return self._emulator._call("GET", "/clock")

    def now(self) -> datetime:
        """Emulator time now, as an aware datetime."""
        return datetime.strptime(self.get()["now"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)

    def freeze(self) -> Dict[str, Any]:
        """Stop time where it is."""
        return self._set({"action": "freeze"})

    def resume(self) -> Dict[str, Any]:
        """Let time run again from where it stands."""
        return self._set({"action": "resume"})

    def system(self) -> Dict[str, Any]:
        """Back to the system clock, running."""
        return self._set({"action": "system"})

    def set(self, time: Union[str, datetime]) -> Dict[str, Any]:  # noqa: A003 - the control verb
        """Move to an instant (``"2027-01-01T00:00:00Z"`` or a datetime); a frozen clock stays frozen."""
        return self._set({"action": "set", "time": _instant(time)})

    def advance(self, by: Union[str, timedelta, int]) -> Dict[str, Any]:
        """Move by ``"14d"``, ``"-1h"``, ``"90m"``, ``"30s"``, a timedelta or seconds."""
        return self._set({"action": "advance", "by": _duration(by)})


class Faults:
    """Fault rules (``/_emulator/faults``)."""

    def __init__(self, emulator: "Emulator"):
        self._emulator = emulator

    def add(
        self,
        action: str,
        code: Optional[str] = None,
        *,
        cloud: str = "alibaba",
        times: Optional[int] = None,
        probability: Optional[float] = None,
        latency_ms: Optional[int] = None,
        handshake_id: Optional[str] = None,
        access_key_id: Optional[str] = None,
        retry_after_ms: Optional[int] = None,
        detail: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Adds a rule: ``action`` (the cloud's operation name) fails with catalog ``code``
        and/or waits ``latency_ms``, for the next ``times`` calls or with ``probability``.
        Answers the rule, with its ``id``."""
        body = {"cloud": cloud, "action": action, "code": code, "times": times, "probability": probability,
                "latency_ms": latency_ms, "handshake_id": handshake_id, "access_key_id": access_key_id,
                "retry_after_ms": retry_after_ms, "detail": detail}
        return self._emulator._call("POST", "/faults", {k: v for k, v in body.items() if v is not None})

    def list(self) -> List[Dict[str, Any]]:  # noqa: A003 - the control verb
        """The rules in force, in the order they are tried."""
        return self._emulator._call("GET", "/faults")["faults"]

    def delete(self, rule_id: str) -> None:
        """Removes one rule by id."""
        self._emulator._call("DELETE", f"/faults/{urllib.parse.quote(rule_id)}")

    def clear(self) -> int:
        """Removes every rule; answers how many there were."""
        return self._emulator._call("DELETE", "/faults")["deleted"]


class Emulator:
    """A running emulator: its address, the world's keys, and the control plane.

    Made by `running` (which owns the process) or `connect` (a server that is already running).
    """

    def __init__(self, endpoint: str, *, process: Optional[subprocess.Popen] = None,
                 admin_token: Optional[str] = None, version: Optional[str] = None,
                 banner: Optional[List[str]] = None, log_path: Optional[str] = None,
                 log_dir: Optional[str] = None):
        parsed = urllib.parse.urlsplit(endpoint.rstrip("/"))
        if parsed.scheme != "http" or not parsed.hostname or not parsed.port:
            raise EmulatorError(f"not an emulator endpoint: {endpoint!r} (expected http://HOST:PORT)")
        host = parsed.hostname
        if host in ("0.0.0.0", "::"):
            host = "127.0.0.1" if host == "0.0.0.0" else "::1"
        self.host: str = host
        """The host to connect to."""
        self.port: int = parsed.port
        """The port it listens on."""
        self.hostport: str = f"[{host}]:{self.port}" if ":" in host else f"{host}:{self.port}"
        """``HOST:PORT``, what Alibaba's Tea and legacy SDKs take as their endpoint."""
        self.endpoint: str = f"http://{self.hostport}"
        """``http://HOST:PORT``, what the Huawei SDK and plain HTTP take."""
        self.process = process
        """The emulator process when this object started it, else None."""
        self.version = version
        """The emulator's version, from its banner (or health)."""
        self.banner: List[str] = banner if banner is not None else []
        """The lines of the start-up banner (empty for `connect`)."""
        self.log_path = log_path
        """Where the process's log (standard error) goes, when this object started it (a
        temporary file unless ``log=`` was given, removed by `stop`)."""
        self.admin_token = admin_token
        self._log_dir = log_dir  # a temporary directory of ours, removed by stop()
        self.clock = Clock(self)
        """The emulator clock: ``freeze()``, ``advance("14d")``, ``set(...)``, ``resume()``, ``system()``."""
        self.faults = Faults(self)
        """Fault rules: ``add(action, code, times=…)``, ``list()``, ``delete(id)``, ``clear()``."""
        self._keys: Optional[Keys] = None

    def __repr__(self) -> str:
        return f"<Emulator {self.endpoint}{' (owned)' if self.process else ''}>"

    # ---- the control plane -----------------------------------------------------------

    def _call(self, method: str, path: str, body: Any = None, *, raw: Optional[bytes] = None,
              content_type: str = "application/json", timeout: float = 30) -> Any:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        headers = {"Content-Type": content_type} if data is not None else {}
        if self.admin_token:
            headers["Authorization"] = f"Bearer {self.admin_token}"
        request = urllib.request.Request(f"{self.endpoint}/_emulator{path}", data=data, method=method,
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as reply:
                text = reply.read()
        except urllib.error.HTTPError as error:
            text = error.read()
            try:
                message = json.loads(text).get("error", text.decode(errors="replace"))
            except ValueError:
                message = text.decode(errors="replace")
            raise ControlError(method, path, error.code, message) from None
        except (urllib.error.URLError, OSError) as error:
            raise EmulatorError(f"the emulator at {self.endpoint} is not reachable: {error}") from None
        return json.loads(text) if text else None

    def health(self) -> Dict[str, Any]:
        """``GET /_emulator/health``: status, version, uptime, counts of both worlds, clock."""
        return self._call("GET", "/health")

    def reset(self) -> Dict[str, Any]:
        """Both worlds back to what was loaded at start (clock, faults and journal stay)."""
        self._keys = None
        return self._call("POST", "/reset")

    def state(self) -> Dict[str, Any]:
        """The whole world (both clouds) as a document of the fixture schema, absolute times."""
        return self._call("GET", "/state", timeout=300)

    def load(self, document: Document) -> Dict[str, Any]:
        """Replaces both worlds with ``document``: a mapping (sent as JSON), or the path of a
        ``.toml`` or ``.json`` world file. Relative times (``now-1h``) resolve against the
        emulator clock. A bad document raises `ControlError` and leaves the world as it was."""
        self._keys = None
        if isinstance(document, Mapping):
            return self._call("PUT", "/state", dict(document), timeout=300)
        path = Path(document)
        text = path.read_bytes()
        toml = path.suffix.lower() != ".json"
        return self._call("PUT", "/state", raw=text, timeout=300,
                          content_type="application/toml" if toml else "application/json")

    def requests(self, action: Optional[str] = None, code: Optional[str] = None, *,
                 cloud: Optional[str] = None, limit: Optional[int] = None) -> List[Dict[str, Any]]:
        """The request journal, oldest first, filtered by ``action``, ``code`` (``"none"`` for
        successes), ``cloud`` (``"alibaba"``/``"huawei"``); ``limit`` keeps the newest N."""
        query = {k: v for k, v in (("cloud", cloud), ("action", action), ("code", code), ("limit", limit))
                 if v is not None}
        suffix = f"?{urllib.parse.urlencode(query)}" if query else ""
        return self._call("GET", f"/requests{suffix}")["requests"]

    def clear_requests(self) -> None:
        """Empties the request journal."""
        self._call("DELETE", "/requests")

    @property
    def keys(self) -> Keys:
        """The world's access keys by role (``keys["management"]``, ``keys["invitee"]``, …, or by
        id); Huawei's under ``keys.huawei``. Read from the world, again after `load` or `reset`."""
        if self._keys is None:
            self._keys = Keys.from_state(self.state())
        return self._keys

    def key(self, role: Union[str, Key], cloud: str = "alibaba") -> Key:
        """One key by role or id (``cloud="huawei"`` for Huawei's table); a `Key` passes through."""
        if isinstance(role, Key):
            return role
        return (self.keys.huawei if cloud == "huawei" else self.keys)[role]

    def client(self, role: Union[str, Key], sdk: str = "tea", **options: Any) -> Any:
        """An official SDK client signing as ``role``, pointed at this emulator: ``sdk`` is
        ``"tea"`` (alibabacloud-resourcemanager20200331, V3 signing), ``"tea-v1"`` (the same with
        V1 HMAC-SHA1), ``"legacy"`` (aliyun-python-sdk-core's AcsClient) or ``"huawei"``
        (huaweicloudsdkorganizations' OrganizationsClient). ``options`` go to the SDK's config."""
        from ._clients import make_client

        return make_client(self, role, sdk, **options)

    # ---- the process -----------------------------------------------------------------

    def stop(self, timeout: float = 10) -> Optional[int]:
        """Stops the process this object started (closing its standard input stops it at once;
        SIGTERM, then SIGKILL, if it does not). Answers its exit status; None for `connect`."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            try:
                if process.stdin:
                    process.stdin.close()
                process.wait(timeout=min(3.0, timeout))
            except (subprocess.TimeoutExpired, OSError):
                process.terminate()
                try:
                    process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if self in _STARTED:
            _STARTED.remove(self)
        if self._log_dir:
            shutil.rmtree(self._log_dir, ignore_errors=True)
            self._log_dir = None
        return process.returncode

    def __enter__(self) -> "Emulator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def connect(url: str, admin_token: Optional[str] = None) -> Emulator:
    """An `Emulator` for a server that is already running at ``url`` (checked with health)."""
    emulator = Emulator(url, admin_token=admin_token)
    emulator.version = emulator.health().get("version")
    return emulator


_STARTED: "List[Emulator]" = []


@atexit.register
def _stop_all() -> None:
    for emulator in list(_STARTED):
        emulator.stop(timeout=3)


def _pump(stream, lines: "queue.Queue[Optional[str]]") -> None:
    with stream:
        for raw in iter(stream.readline, b""):
            lines.put(raw.decode(errors="replace").rstrip("\n"))
    lines.put(None)


def start(
    port: int = 0,
    fixtures: Optional[PathLike] = None,
    data_dir: Optional[PathLike] = None,
    *,
    host: str = "127.0.0.1",
    binary: Optional[PathLike] = None,
    log: Optional[PathLike] = None,
    env: Optional[Mapping[str, str]] = None,
    startup_timeout: float = 30,
    **flags: Any,
) -> Emulator:
    """Starts the emulator and answers once it listens; the caller must `Emulator.stop` it.
    `running` is the context-manager form; see it for the arguments."""
    executable = find_binary(binary)
    args = [executable, "serve", "--host", host, "--port", str(port)]
    if fixtures is not None:
        args += ["--fixtures", os.fspath(fixtures)]
    if data_dir is not None:
        args += ["--data-dir", os.fspath(data_dir)]
    args += _flag_args(flags)
    log_dir: Optional[str] = None
    if log is None:
        log_dir = tempfile.mkdtemp(prefix="rm-emulator-")
        log_path = os.path.join(log_dir, "emulator.log")
    else:
        log_path = os.fspath(log)
    environment = dict(os.environ if env is None else env)
    # The emulator stops when its standard input closes: when we stop it, or when this process dies.
    environment["RM_EMULATOR_EXIT_ON_STDIN_EOF"] = "true"
    with open(log_path, "ab") as log_file:
        process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log_file,
                                   env=environment, close_fds=True)
    lines: "queue.Queue[Optional[str]]" = queue.Queue()
    threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True,
                     name=f"rm-emulator-{process.pid}").start()

    def failure(reason: str) -> EmulatorError:
        process.kill()
        process.wait()
        try:
            tail = Path(log_path).read_text(errors="replace").strip().splitlines()[-20:]
        except OSError:
            tail = []
        if log_dir:
            shutil.rmtree(log_dir, ignore_errors=True)
        return EmulatorError(f"{reason}: {' '.join(args)}" + ("\n" + "\n".join(tail) if tail else ""))

    deadline = time.monotonic() + startup_timeout
    while True:
        try:
            first = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise failure(f"the emulator did not print its banner within {startup_timeout} s") from None
        if first is None:
            process.wait()
            raise failure(f"the emulator exited with status {process.returncode} before listening")
        match = _BANNER.match(first)
        if match:
            break
    banner = [first]
    # The rest of the banner is printed at once; collect what has arrived without waiting long.
    while True:
        try:
            line = lines.get(timeout=0.05)
        except queue.Empty:
            break
        if line is None:
            break
        banner.append(line)
    emulator = Emulator(match.group(2), process=process, admin_token=flags.get("admin_token"),
                        version=match.group(1), banner=banner, log_path=log_path, log_dir=log_dir)
    _STARTED.append(emulator)
    return emulator


@contextmanager
def running(
    port: int = 0,
    fixtures: Optional[PathLike] = None,
    data_dir: Optional[PathLike] = None,
    *,
    host: str = "127.0.0.1",
    binary: Optional[PathLike] = None,
    log: Optional[PathLike] = None,
    env: Optional[Mapping[str, str]] = None,
    startup_timeout: float = 30,
    **flags: Any,
) -> Iterator[Emulator]:
    """Runs the emulator for the ``with`` block::

        with rm_emulator.running(port=0, fixtures="world.toml") as emu:
            emu.endpoint            # http://127.0.0.1:PORT
            emu.keys["invitee"]     # Key(access_key_id=..., secret=..., ...)

    ``port=0`` picks a free port (learnt from the banner's first line); ``fixtures`` is a world
    file (else the embedded default world); ``data_dir`` keeps the worlds in SQLite there;
    every other keyword is a flag of ``resourcemanager-emulator serve`` (``workers=2`` →
    ``--workers 2``, ``replace_data=True`` → ``--replace-data``). ``binary`` overrides the
    bundled binary; ``log`` is where its log goes (default: a temporary file, see
    ``emu.log_path``). The process is stopped when the block ends, at interpreter exit, and
    (through its standard input) when this process dies, however it dies.
    """
    emulator = start(port, fixtures, data_dir, host=host, binary=binary, log=log, env=env,
                     startup_timeout=startup_timeout, **flags)
    try:
        yield emulator
    finally:
        emulator.stop()

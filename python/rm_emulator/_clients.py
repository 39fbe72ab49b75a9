"""Official SDK clients pointed at an emulator (the SDKs are optional extras, imported on demand)."""

from __future__ import annotations

import atexit
import contextlib
import importlib
import os
import shutil
import sys
import tempfile
from typing import TYPE_CHECKING, Any, Dict, Iterator, Union

from ._keys import Key

if TYPE_CHECKING:
    from ._emulator import Emulator

__all__ = ["SDKS", "make_client", "huawei_home"]

SDKS = ("tea", "tea-v1", "legacy", "huawei")
_EXTRA = {"tea": "tea", "tea-v1": "tea", "legacy": "legacy", "huawei": "huawei"}

_HUAWEI_HOME: Dict[str, str] = {}


def _require(module: str, sdk: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"rm_client(sdk={sdk!r}) needs {module.split('.')[0]}: "
            f"pip install 'resourcemanager-emulator[{_EXTRA[sdk]}]' ({error})"
        ) from error


@contextlib.contextmanager
def huawei_home() -> Iterator[str]:
    """A scratch HOME while the Huawei SDK is first imported: huaweicloudsdkcore writes
    ``$HOME/.huaweicloud/application_id`` at import time, and a test run should not."""
    if "huaweicloudsdkcore.http.user_agent" in sys.modules:
        yield _HUAWEI_HOME.get("home", "")
        return
    if "home" not in _HUAWEI_HOME:
        _HUAWEI_HOME["home"] = tempfile.mkdtemp(prefix="rm-emulator-huawei-home-")
        atexit.register(shutil.rmtree, _HUAWEI_HOME["home"], True)
    home = _HUAWEI_HOME["home"]
    saved = {name: os.environ.get(name) for name in ("HOME", "USERPROFILE")}
    os.environ["HOME"] = os.environ["USERPROFILE"] = home
    try:
        yield home
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _tea(emulator: "Emulator", key: Key, v1: bool, options: Dict[str, Any]) -> Any:
    sdk = "tea-v1" if v1 else "tea"
    client_module = _require("alibabacloud_resourcemanager20200331.client", sdk)
    models = _require("alibabacloud_tea_openapi.utils_models", sdk)
    settings: Dict[str, Any] = {
        "access_key_id": key.access_key_id,
        "access_key_secret": key.secret,
        "security_token": key.security_token,
        "endpoint": emulator.hostport,
        "protocol": "http",
        "region_id": "cn-hangzhou",
    }
    if v1:
        settings["signature_algorithm"] = "v2"
    settings.update(options)
    return client_module.Client(models.Config(**settings))


def _legacy(emulator: "Emulator", key: Key, options: Dict[str, Any]) -> Any:
    client_module = _require("aliyunsdkcore.client", "legacy")
    credentials = _require("aliyunsdkcore.auth.credentials", "legacy")

    class EmulatorAcsClient(client_module.AcsClient):  # type: ignore[misc,name-defined]
        """aliyunsdkcore's AcsClient sending every request to the emulator over HTTP (the request
        classes otherwise resolve the real endpoint and force HTTPS)."""

        emulator_hostport = emulator.hostport

        def _implementation_of_do_action(self, request: Any, signer: Any = None) -> Any:
            request.set_endpoint(self.emulator_hostport)
            request.set_protocol_type("http")
            return super()._implementation_of_do_action(request, signer)

    settings: Dict[str, Any] = {"region_id": "cn-hangzhou", "auto_retry": False}
    settings.update(options)
    if key.security_token:
        return EmulatorAcsClient(credential=credentials.StsTokenCredential(
            key.access_key_id, key.secret, key.security_token), **settings)
    return EmulatorAcsClient(key.access_key_id, key.secret, **settings)


def _huawei(emulator: "Emulator", key: Key, options: Dict[str, Any]) -> Any:
    with huawei_home():
        credentials_module = _require("huaweicloudsdkcore.auth.credentials", "huawei")
        http_config_module = _require("huaweicloudsdkcore.http.http_config", "huawei")
        organizations = _require("huaweicloudsdkorganizations.v1", "huawei")
    credentials = credentials_module.GlobalCredentials(key.access_key_id, key.secret, key.account_id)
    if key.security_token:
        credentials = credentials.with_security_token(key.security_token)
    http_config = http_config_module.HttpConfig.get_default_config()
    http_config.timeout = options.pop("timeout", (5, 30))
    http_config.retry_times = options.pop("retry_times", 0)
    for name, value in options.items():
        setattr(http_config, name, value)
    return (organizations.OrganizationsClient.new_builder()
            .with_http_config(http_config)
            .with_credentials(credentials)
            .with_endpoint(emulator.endpoint)
            .build())


def make_client(emulator: "Emulator", role: Union[str, Key], sdk: str = "tea", **options: Any) -> Any:
    """See `Emulator.client`."""
    if sdk not in SDKS:
        raise ValueError(f"unknown sdk {sdk!r}: one of {', '.join(SDKS)}")
    key = emulator.key(role, cloud="huawei" if sdk == "huawei" else "alibaba")
    if (key.cloud == "huawei") != (sdk == "huawei"):
        raise ValueError(f"key {key.access_key_id} is a {key.cloud} key; sdk={sdk!r} is for the other cloud")
    if sdk in ("tea", "tea-v1"):
        return _tea(emulator, key, sdk == "tea-v1", options)
    if sdk == "legacy":
        return _legacy(emulator, key, options)
    return _huawei(emulator, key, options)

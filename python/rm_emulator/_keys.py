"""The world's access keys, by role: what `Emulator.keys` hands out."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Dict, Iterator, List, Mapping, Optional

__all__ = ["Key", "Keys", "ALIBABA_ROLES", "HUAWEI_ROLES"]

# The default world's well-known keys (README, "The default world" and "The default Huawei world").
ALIBABA_ROLES: Dict[str, str] = {
    "management": "LTAI5tEmuManagement01",
    "invitee": "LTAI5tEmuInvitee00001",
    "other-directory-member": "LTAI5tEmuInvitee00002",
    "personal": "LTAI5tEmuInvitee00003",
    "individual": "LTAI5tEmuInvitee00004",
    "member": "LTAI5tEmuInvitee00005",
    "unverified": "LTAI5tEmuInvitee00006",
    "nameless": "LTAI5tEmuInvitee00007",
    "sts": "STS.EmuInvitee00001",
    "sts-expired": "STS.EmuExpired000001",
    "disabled": "LTAI5tEmuDisabled0001",
}
HUAWEI_ROLES: Dict[str, str] = {
    "management": "EMUHWMANAGEMENT00001",
    "invitee": "EMUHWINVITEE00000001",
    "sts": "EMUHWTEMPINVITEE0001",
    "sts-expired": "EMUHWTEMPEXPIRED0001",
    "member": "EMUHWMEMBER000000001",
    "second-invitee": "EMUHWINVITEE00000002",
    "other-management": "EMUHWOTHERMGMT000001",
    "other-member": "EMUHWOTHERMEMBER0001",
}


@dataclass(frozen=True)
class Key:
    """One access key of the world: what an SDK client needs to sign as that account."""

    cloud: str
    """``"alibaba"`` or ``"huawei"``."""
    access_key_id: str
    secret: str
    account_id: str
    """The Alibaba account id, or the Huawei account (domain) id."""
    security_token: Optional[str] = None
    """The STS token (Alibaba ``SecurityToken``, Huawei ``X-Security-Token``) of a temporary key."""
    disabled: bool = False
    role: Optional[str] = None
    """The well-known role this key plays, when it has one."""


class Keys(Mapping[str, Key]):
    """Keys by role (``"management"``, ``"invitee"``, ``"sts"``, …) or by access key id.

    ``keys["invitee"]`` is Alibaba's; ``keys.huawei["invitee"]`` is Huawei's. In a world of your
    own, every key is found by its id, the default roles by their default ids when present, and
    ``"management"`` / ``"invitee"`` fall back to the first key of a directory's (organization's)
    management account / of an account a Pending invitation is addressed to.
    """

    def __init__(self, cloud: str, keys: List[Key], roles: Dict[str, Key]):
        self.cloud = cloud
        self._by_id = {key.access_key_id: key for key in keys}
        self._roles = roles
        self.huawei: Keys = self  # replaced on the Alibaba table by `from_state`

    def __getitem__(self, name: str) -> Key:
        if name in self._roles:
            return self._roles[name]
        if name in self._by_id:
            return self._by_id[name]
        raise KeyError(f"no {self.cloud} key with role or id {name!r}; roles: {', '.join(self._roles) or 'none'}")

    def __iter__(self) -> Iterator[str]:
        return iter(self._roles)

    def __len__(self) -> int:
        return len(self._roles)

    @property
    def all(self) -> List[Key]:
        """Every key of this cloud's world, by id."""
        return [self._by_id[k] for k in sorted(self._by_id)]

    def __repr__(self) -> str:
        return f"Keys({self.cloud}: {', '.join(f'{r}={k.access_key_id}' for r, k in self._roles.items())})"

    @staticmethod
    def from_state(state: Mapping[str, Any]) -> "Keys":
        """Both clouds' tables from an exported state (``GET /_emulator/state``)."""
        alibaba = _table("alibaba", state, ALIBABA_ROLES, "resource_directories", "master_account_id",
                         lambda h: h.get("status") == "Pending")
        huawei = _table("huawei", state.get("huawei") or {}, HUAWEI_ROLES, "organizations",
                        "management_account_id", lambda h: h.get("status") == "pending")
        alibaba.huawei = huawei
        return alibaba


def _table(cloud, section, defaults, organizations, manager_field, pending) -> Keys:
    raw = section.get("access_keys") or []
    keys = [
        Key(cloud=cloud, access_key_id=k["id"], secret=k["secret"], account_id=k["account_id"],
            security_token=k.get("security_token"), disabled=bool(k.get("disabled", False)))
        for k in raw
    ]
    by_id = {key.access_key_id: key for key in keys}
    roles: Dict[str, Key] = {}
    for role, key_id in defaults.items():
        if key_id in by_id:
            roles[role] = by_id[key_id]

    def first_key_of(accounts):
        for key in sorted(keys, key=lambda k: k.access_key_id):
            if key.account_id in accounts and not key.disabled and key.security_token is None:
                return key
        return None

    if "management" not in roles:
        managers = {o.get(manager_field) for o in section.get(organizations) or []}
        found = first_key_of(managers)
        if found:
            roles["management"] = found
    if "invitee" not in roles:
        targets = {h.get("target_entity") for h in section.get("handshakes") or [] if pending(h)}
        found = first_key_of(targets)
        if found:
            roles["invitee"] = found
    named = {role: replace(key, role=role) for role, key in roles.items()}
    for role, key in named.items():
        if by_id[key.access_key_id].role is None:
            by_id[key.access_key_id] = key
    return Keys(cloud, list(by_id.values()), named)

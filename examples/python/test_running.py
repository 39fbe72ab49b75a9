"""rm_emulator.running(): the bundled binary started by hand, outside the session's fixture."""

import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import rm_emulator

WORLD = Path(__file__).parent.parent / "worlds" / "partner.toml"


def listening(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_running_picks_a_free_port_and_stops():
    with rm_emulator.running(port=0) as emu:
        assert emu.endpoint == f"http://127.0.0.1:{emu.port}" and emu.port > 0
        assert emu.banner[0] == f"resourcemanager-emulator {emu.version} listening at {emu.endpoint}"
        assert emu.health()["status"] == "ok"
        assert emu.keys["management"].access_key_id == "LTAI5tEmuManagement01"
    assert emu.process.returncode == 0 and not listening(emu.port)


def test_fixtures_and_data_dir(tmp_path):
    data = tmp_path / "data"
    with rm_emulator.running(fixtures=WORLD, data_dir=data) as emu:
        client = emu.client("invitee", sdk="tea")
        from alibabacloud_resourcemanager20200331 import models
        client.accept_handshake(models.AcceptHandshakeRequest(handshake_id="h-Subs1diaryInv001"))
    # Started again on the same directory: the world is as it was left.
    with rm_emulator.running(data_dir=data) as emu:
        [handshake] = emu.state()["handshakes"]
        assert handshake["status"] == "Accepted"


def test_flags_become_command_line_flags():
    with rm_emulator.running(admin_token="s3cret", journal_size=0, workers=1) as emu:
        assert emu.reset()["status"] == "reset"  # the client sends the token
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{emu.endpoint}/_emulator/health")
        assert refused.value.code == 401
        with pytest.raises(rm_emulator.ControlError) as wrong:
            rm_emulator.connect(emu.endpoint, admin_token="wrong")
        assert wrong.value.status == 401
        assert emu.requests() == []  # --journal-size 0 keeps nothing


def test_a_bad_world_fails_start_up_with_the_reason(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[[accounts]]\nid = 'not-an-id'\n")
    with pytest.raises(rm_emulator.EmulatorError, match="exited with status 1") as failure:
        with rm_emulator.running(fixtures=bad):
            pass
    assert "bad.toml" in str(failure.value)


def test_the_emulator_dies_with_the_test_process(tmp_path):
    # A child Python starts an emulator, then is SIGKILLed: no atexit, no cleanup runs.
    script = textwrap.dedent("""
        import os, signal, sys, rm_emulator
        emu = rm_emulator.start(port=0, log=sys.argv[1])
        print(emu.port, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    child = subprocess.run([sys.executable, "-c", script, str(tmp_path / "emulator.log")],
                           capture_output=True, text=True, timeout=60)
    assert child.returncode == -9, child.stderr
    port = int(child.stdout.strip())
    deadline = time.monotonic() + 10
    while listening(port) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not listening(port), "the orphaned emulator is still listening"

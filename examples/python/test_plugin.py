"""The plugin's options and markers, each in a pytest run of its own (pytester)."""

import shutil

import rm_emulator

INNER = '''
import pytest
from alibabacloud_resourcemanager20200331 import models

def accept(rm_client):
    return rm_client("invitee").accept_handshake(
        models.AcceptHandshakeRequest(handshake_id="h-Ih8IuPfvV0t0abcd")).body.handshake.status

def test_1_accepts(rm_client):
    assert accept(rm_client) == "Accepted"

@pytest.mark.rm_no_reset
def test_2_sees_what_test_1_did(rm_client, rm_error):
    with rm_error("HandshakeStatusMismatch"):
        accept(rm_client)

def test_3_starts_clean_again(rm_client):
    assert accept(rm_client) == "Accepted"

def test_4_which_server(rm_emulator, pytestconfig):
    with open("server.txt", "w") as out:
        out.write(f"{rm_emulator.endpoint} {rm_emulator.process.args[0] if rm_emulator.process else '-'}")
'''


def test_rm_no_reset_and_reusing_a_server(pytester, rm_emulator):
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest_subprocess("-p", "no:xdist", "--rm-emulator-url", rm_emulator.endpoint)
    result.assert_outcomes(passed=4)
    assert (pytester.path / "server.txt").read_text() == f"{rm_emulator.endpoint} -"


def test_another_binary(pytester, tmp_path):
    other = tmp_path / "other-emulator"
    shutil.copy(rm_emulator.find_binary(), other)
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest_subprocess("-p", "no:xdist", "--rm-emulator-binary", str(other))
    result.assert_outcomes(passed=4)
    endpoint, binary = (pytester.path / "server.txt").read_text().split()
    assert binary == str(other) and endpoint.startswith("http://127.0.0.1:")


def test_a_test_without_the_fixtures_starts_no_emulator(pytester):
    pytester.makepyfile(test_inner="def test_plain():\n    assert True\n")
    pytester.makeconftest(
        "import rm_emulator._emulator as e\n"
        "def pytest_sessionfinish(session):\n"
        "    open('started.txt', 'w').write(str(len(e._STARTED)))\n")
    result = pytester.runpytest_subprocess("-p", "no:xdist", "--rm-emulator-binary", "/nonexistent")
    result.assert_outcomes(passed=1)
    assert (pytester.path / "started.txt").read_text() == "0"

"""deploy/seedbot.service: valid for systemd, and its restart policy matches the exit codes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.failures import EXIT_FIX

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "seedbot.service"
INSTALLED_AT = "/opt/seedbot"


def directives(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line and line[0] != "#")
    return {key.strip(): value.strip() for key, value in pairs}


def test_the_unit_restarts_on_failure_but_not_for_a_setting_to_fix():
    unit = directives(UNIT.read_text(encoding="utf-8"))
    assert unit["Restart"] == "on-failure"
    assert unit["RestartPreventExitStatus"] == str(EXIT_FIX)
    assert unit["EnvironmentFile"] == f"{INSTALLED_AT}/.env"
    assert unit["ExecStart"] == f"{INSTALLED_AT}/.venv/bin/python -m bot"
    assert unit["StandardError"] == "journal"


def test_systemd_analyze_verify_passes_without_a_warning(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (.ci/run installs systemd)")
    # Verify the unit as installed here: ExecStart must name a real executable.
    here = UNIT.read_text(encoding="utf-8").replace(INSTALLED_AT, str(ROOT))
    here = here.replace(f"{ROOT}/.venv/bin/python", sys.executable)
    (tmp_path / "seedbot.service").write_text(here, encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / "seedbot.service")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    # It only warns about bad values (e.g. Restart=sometimes), so a warning fails the test too.
    assert result.stderr.strip() == "", result.stderr

"""The whole end-to-end suite with every secret set to a marker: the marker shows up nowhere."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.resilience.processes import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

E2E_TIMEOUT_S = 600


def test_no_secret_reaches_a_log_line_or_a_message_in_the_e2e_suite(tmp_path):
    report = tmp_path / "marker-report.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/e2e",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "tests.resilience.secret_marker_plugin",
        ],
        cwd=ROOT,
        env={**_clean_env(), "SEEDBOT_MARKER_REPORT": str(report)},
        capture_output=True,
        text=True,
        timeout=E2E_TIMEOUT_S,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    found = json.loads(report.read_text(encoding="utf-8"))
    assert found["leaks"] == []
    assert found["bots_with_marker"] >= 1 and found["doubles_with_marker"] >= 2
    # The search really ran over the suite's logs, outputs, calls and messages.
    assert found["log_lines"] > 100 and found["calls"] > 50 and found["messages"] > 10
    assert found["outputs"] > 0


def _clean_env() -> dict[str, str]:
    import os

    from tests.resilience.processes import seedbot_env

    env = seedbot_env()
    env.pop("LOG_LEVEL")
    return {**env, **{k: v for k, v in os.environ.items() if k.startswith("PYTEST_")}}

"""`stravasync simulate` as a new user meets it: settings to paste, a busy port in one line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path


def test_simulate_prints_settings_ready_to_paste() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "stravasync", "simulate", "--port", str(port), "--athletes", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        lines: list[str] = []
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("ready"):
                break
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    text = "".join(lines)
    assert f"export STRAVASYNC_STRAVA_BASE_URL=http://127.0.0.1:{port}\n" in text, text
    assert "export STRAVASYNC_CLIENT_ID=" in text
    assert "export STRAVASYNC_CLIENT_SECRET=" in text


def test_simulate_on_a_busy_port_is_one_line_and_exit_1(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRAVASYNC_")}
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = subprocess.run(
            [sys.executable, "-m", "stravasync", "simulate", "--port", str(port)],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Traceback" not in out.stdout + out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, out.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in lines[0]

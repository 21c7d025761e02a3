"""The vendored Swagger UI, ReDoc, Chart.js, Leaflet (served) and axe-core (tests only) files are
exactly the ones scripts/vendor-assets fetched
(SHA256SUMS), with their licences; the offline check catches an edited or stray file."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "vendor-assets"
VENDOR = ROOT / "src" / "stravasync" / "web" / "static" / "vendor"
TEST_VENDOR = ROOT / "tests" / "data" / "vendor"


def run_check(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--check", "--dir", str(directory)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_committed_files_match_their_digests() -> None:
    done = run_check(VENDOR)
    assert done.returncode == 0, done.stderr
    listed = (VENDOR / "SHA256SUMS").read_text()
    for name in (
        "swagger-ui/swagger-ui-bundle.js",
        "swagger-ui/swagger-ui.css",
        "swagger-ui/LICENSE",
        "swagger-ui/NOTICE",
        "redoc/redoc.standalone.js",
        "redoc/LICENSE",
        "chartjs/chart.umd.min.js",
        "chartjs/LICENSE.md",
        "leaflet/leaflet.js",
        "leaflet/leaflet.css",
        "leaflet/LICENSE",
    ):
        assert f"  {name}\n" in listed
    assert "Apache License" in (VENDOR / "swagger-ui" / "LICENSE").read_text()
    assert "MIT License" in (VENDOR / "redoc" / "LICENSE").read_text()
    # axe-core is a test asset: checked, never among the served files
    assert run_check(TEST_VENDOR).returncode == 0
    assert "axe-core/axe.min.js" in (TEST_VENDOR / "SHA256SUMS").read_text()
    assert not (VENDOR / "axe-core").exists()
    # the one patch: ReDoc's logo no longer comes from Redocly's CDN
    assert "cdn.redoc.ly" not in (VENDOR / "redoc" / "redoc.standalone.js").read_text()


def test_an_edited_or_stray_file_fails_the_check(tmp_path: Path) -> None:
    copy = tmp_path / "vendor"
    shutil.copytree(VENDOR, copy)
    with (copy / "swagger-ui" / "swagger-ui.css").open("a") as f:
        f.write("body{}")
    (copy / "redoc" / "extra.js").write_text("alert(1)")
    (copy / "redoc" / "LICENSE").unlink()
    done = run_check(copy)
    assert done.returncode == 1
    assert "swagger-ui/swagger-ui.css: sha256 differs" in done.stderr
    assert "redoc/extra.js: not listed" in done.stderr
    assert "redoc/LICENSE: missing" in done.stderr

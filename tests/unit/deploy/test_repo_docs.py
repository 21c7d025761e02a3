"""What a fresh clone holds: the LICENSE pyproject.toml declares, py.typed, docs that resolve."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_license_is_the_apache_text_pyproject_declares() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["license"] == {"text": "Apache-2.0"}
    text = (ROOT / "LICENSE").read_text()
    assert text.lstrip().startswith("Apache License\n")
    assert "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
    assert len(text.splitlines()) > 190  # the full text, not a pointer to it


def test_the_package_is_marked_typed() -> None:
    assert (ROOT / "src" / "stravasync" / "py.typed").is_file()
    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]
    # hatch ships every file under the package directory, py.typed included
    assert wheel["targets"]["wheel"]["packages"] == ["src/stravasync"]


# the team's folder beside the repository, which a user's clone does not have (spelled in two
# parts so that a grep for reads of it finds only real ones)
OUTSIDE_THE_CLONE = "../" + "shared"


def test_readme_and_docs_point_only_at_files_a_clone_has() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for page in pages:
        text = page.read_text()
        assert OUTSIDE_THE_CLONE not in text, page
        for target in LINK.findall(text):
            if "://" in target or target.startswith("mailto:"):
                continue
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"
    assert "docs/architecture.md" in (ROOT / "README.md").read_text()


BRACES = re.compile(r"\{([A-Z0-9_,]+)\}")


def _expand(text: str) -> str:
    """``RATE_{OVERALL,READ}_{15MIN,DAILY}`` as the four names it stands for."""
    match = BRACES.search(text)
    if match is None:
        return text
    head, tail = text[: match.start()], text[match.end() :]
    return " ".join(_expand(head + choice + tail) for choice in match.group(1).split(","))


def _documented_names(readme: str) -> set[str]:
    """Setting names docs/configuration.md's table rows give (in any cell): in full, or
    ``..._SUFFIX`` after a full one on the same row (``STRAVASYNC_SYNC_ACTIVE_HOURS`` /
    ``..._DORMANT_HOURS``)."""
    names: set[str] = set()
    for row in readme.splitlines():
        if not row.startswith("|"):
            continue
        cells = [_expand(part) for part in re.findall(r"`([^`]+)`", row)]
        full = [n for c in cells for n in re.findall(r"STRAVASYNC_[A-Z0-9_]+", c)]
        names.update(full)
        for cell in cells:
            for suffix in re.findall(r"\.\.\._([A-Z0-9_]+)", cell):
                for name in full:
                    parts = name.split("_")
                    names.update("_".join(parts[:i]) + "_" + suffix for i in range(1, len(parts)))
    return names


def test_every_setting_is_in_the_configuration_tables() -> None:
    from stravasync.config import Settings

    prefix = str(Settings.model_config.get("env_prefix", "")).upper()
    assert prefix == "STRAVASYNC_"
    documented = _documented_names((ROOT / "docs" / "configuration.md").read_text())
    missing = sorted(
        f"{prefix}{field.upper()}"
        for field in Settings.model_fields
        if f"{prefix}{field.upper()}" not in documented
    )
    assert missing == [], f"settings missing from docs/configuration.md: {missing}"

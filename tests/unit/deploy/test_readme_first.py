"""The README starts with what a newcomer does first (issue 23, trip 10): `make demo` /
`make test`, then a personal quick start (a Strava application, its id and secret, `auth`,
`sync`, look at the data, export), then the service against the simulator; the reference
(settings, how it works, the CLI) comes after, and every command the walk-throughs name exists."""

from __future__ import annotations

import re
from pathlib import Path

from typer.main import get_command

from stravasync.cli import app

ROOT = Path(__file__).resolve().parents[3]


def sections(text: str) -> list[str]:
    return re.findall(r"^## (.+)$", text, re.M)


def test_the_readme_starts_with_what_a_newcomer_does_first() -> None:
    text = (ROOT / "README.md").read_text()
    first_block = text.split("```")[1]
    assert "make demo" in first_block and "make test" in first_block
    heads = sections(text)
    assert heads[:3] == [
        "Start here",
        "Your own mirror (personal quick start)",
        "The service, tried against the simulator",
    ], heads
    quick = text.split("## Your own mirror")[1].split("\n## ")[0]
    items = re.split(r"^\d\. ", quick, flags=re.M)[1:]
    wanted = [
        ("**Create a Strava application**", ["strava.com/settings/api"]),
        ("**Give stravasync its id and secret**", ["STRAVASYNC_CLIENT_ID", "_CLIENT_SECRET"]),
        ("**Connect yourself**", ["`stravasync auth`"]),
        ("**Sync**", ["`stravasync sync`"]),
        ("**Look at the data**", ["`stravasync status`", "rollups | records"]),
        ("**Export**", ["`stravasync export --format"]),
    ]
    found = [
        next(
            i
            for i, item in enumerate(items)
            if item.startswith(head) and all(w in item for w in ws)
        )
        for head, ws in wanted
    ]
    assert found == sorted(found), found  # in this order
    assert heads.index("Configuration") > 2 and heads.index("CLI") > 2


def test_every_command_the_walk_throughs_name_exists() -> None:
    text = (ROOT / "README.md").read_text()
    walk = text.split("## Configuration")[0]
    root = get_command(app)
    named = set(re.findall(r"stravasync ([a-z-]+(?: [a-z-]+)?)", walk))
    assert len(named) > 8
    for words in named:
        first, *rest = words.split()
        if first not in root.commands:  # type: ignore[attr-defined]
            continue  # prose, e.g. "stravasync keeps" / "stravasync's"
        cmd = root.commands[first]  # type: ignore[attr-defined]
        sub = getattr(cmd, "commands", None)
        if sub and rest and not rest[0].startswith("-"):
            assert rest[0] in sub or rest[0] in {"ID"}, words

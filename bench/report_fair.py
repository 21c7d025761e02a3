"""REPORT.md lines for the fair comparison (issue 16): each policy's conditions, the steady
state beside the end state, the run with free token requests, and the safety net's worth."""

from __future__ import annotations

from typing import Any

from bench.baselines import describe


def _median(f: dict[str, Any], key: str) -> str:
    value = (f.get("steady_state") or {}).get(f"{key}_median")
    return "-" if value is None else f"{value:g}"


def policy_table(pol: dict[str, Any]) -> list[str]:
    lines = [
        "| policy | quota (o15,oday,r15,rday or tier) | athletes | api calls | 429 | "
        "missing end / steady | zombies end / steady | stale end / steady |",
        "|---" * 8 + "|",
    ]
    for name, f in pol.items():
        c = f.get("conditions") or {}
        lines.append(
            f"| {name} | `{c.get('quota', '?')}` | {c.get('athletes', '?')}"
            f"{' (single user)' if c.get('single_user') else ''} | {f['api_calls']} | "
            f"{f['http_429']} | {f['missing']} / {_median(f, 'missing')} | "
            f"{f['zombies']} / {_median(f, 'zombies')} | {f['stale']} / {_median(f, 'stale')} |"
        )
    return lines


def conditions_lines(pol: dict[str, Any]) -> list[str]:
    """Every policy's conditions: what it does, the quota and scale it ran at, the commit."""
    lines = ["Policies and the conditions each ran under:", ""]
    for name, f in pol.items():
        c = f.get("conditions") or {}
        scale = (
            "one athlete (single user)" if c.get("single_user") else f"{c.get('athletes')} athletes"
        )
        commit = f.get("commit", "an earlier commit, not recorded")
        what = describe(name).rstrip(".")
        lines.append(
            f"- **{name}** ({scale}, quota `{c.get('quota', '?')}`, measured on `{commit}`): "
            f"{what}."
        )
    return lines


def safety_net(net: dict[str, Any]) -> list[str]:
    by_class = net.get("api_calls_by_class") or {}
    classes = sorted({k for v in by_class.values() if v for k in v})
    lines = [
        f"Safety net (refresh, reconcile, second detail fetch): changes stravasync mirrored "
        f"that webhook-only never did: {net['caught_only_by_safety_net']} "
        f"({', '.join(f'{k} {n}' for k, n in net['by_kind_and_cause'].items()) or 'none'}; "
        "*silent*: Strava sends no event, *pushed*: the event was lost). Webhook-only never "
        f"mirrored {net['webhook_only_never_mirrored']} changes in all. Calls by class:",
        "",
        "| policy | " + " | ".join(classes) + " |",
        "|---" * (len(classes) + 1) + "|",
    ]
    for name, v in by_class.items():
        lines.append(f"| {name} | " + " | ".join(str((v or {}).get(k, 0)) for k in classes) + " |")
    return lines


def fair_lines(data: dict[str, Any]) -> list[str]:
    if "safety_net" not in data:
        return []
    lines = [
        "### Conditions, steady state, token requests",
        "",
        "Each policy runs at the quota and scale its own document states (seed002: 600 / 15 "
        "min, 30,000 / day; seed004: one athlete, a personal tool); the late connects are moved "
        "45 min clear of every policy's batches. *steady* = "
        f"{data['config'].get('steady_state', 'median over the last day')}. Strava counting "
        "`POST /oauth/token` as a read (the simulator's default):",
        "",
        *conditions_lines(data["policies"]),
        "",
        *policy_table(data["policies"]),
        "",
        *safety_net(data["safety_net"]),
        "",
    ]
    free = data.get("token_requests_free")
    if free:
        lines += [
            "The same world with `POST /oauth/token` not counted (Strava does not document it):",
            "",
            *policy_table(free["policies"]),
            "",
            *safety_net(free["safety_net"]),
            "",
        ]
    return lines

"""What every browser test of a page checks, shared: no CSP violation and no script error, no
request leaving the service, no sideways scrolling at phone width, and an axe-core scan with no
serious or critical finding.

    watch = PageWatch(page, base)          # before the first goto
    page.goto(base + "/admin")
    assert_accessible(page)                # axe-core (tests/data/vendor/axe-core)
    assert_fits_width(page, 390)           # at a 390 px viewport
    watch.assert_clean()                   # CSP, script errors, foreign requests
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

AXE_JS = Path(__file__).resolve().parents[1] / "data" / "vendor" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
BLOCKING = ("serious", "critical")

# axe.run in the page; the violations as plain data (CDP evaluation: the page's CSP admits it)
_RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + (n.failureSummary || "")),
  }));
}"""


@dataclass
class PageWatch:
    """Records, from the page's creation on, script errors, CSP violations (Chromium reports
    each as a console error naming the Content Security Policy) and every request whose origin
    is not the service's."""

    page: Any
    base: str
    errors: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        origin = _origin(self.base)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", self._console)
        self.page.on(
            "request",
            lambda req: (
                None
                if _origin(req.url) == origin or req.url.startswith(("data:", "blob:", "about:"))
                else self.foreign.append(req.url)
            ),
        )

    def _console(self, msg: Any) -> None:
        if "Content Security Policy" in msg.text:
            self.csp.append(msg.text)
        elif msg.type == "error" and "Failed to load resource" not in msg.text:
            self.errors.append(msg.text)

    def assert_clean(self) -> None:
        assert self.csp == [], f"CSP violations: {self.csp}"
        assert self.errors == [], f"script errors: {self.errors}"
        assert self.foreign == [], f"requests leaving the service: {self.foreign}"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def axe_violations(page: Any, impacts: tuple[str, ...] = BLOCKING) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now; the violations of the given impacts."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # evaluated over CDP, not as a <script> element: the page's CSP (script-src 'self')
        # would refuse an inline one, and that refusal would itself be a CSP violation
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = page.evaluate(_RUN_AXE)
    return [v for v in found if v["impact"] in impacts]


def assert_accessible(page: Any) -> None:
    """No serious or critical axe-core finding on the page."""
    bad = axe_violations(page)
    assert bad == [], "axe-core: " + "; ".join(
        f"{v['impact']} {v['id']} ({v['help']}): {v['nodes']}" for v in bad
    )


def assert_fits_width(page: Any, width: int = PHONE["width"]) -> None:
    """No sideways scrolling: the document is no wider than the viewport."""
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways: {scroll} px wide at {width} px"


def screenshot(page: Any, path: Path | str) -> Path:
    """A full-page PNG (look at it: tests assert what they can, eyes the rest)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out), full_page=True)
    return out

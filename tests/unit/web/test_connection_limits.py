"""The repeat limit on log lines and fitting the connection cap to the open-file limit."""

from __future__ import annotations

import io
import logging
import resource
import subprocess
import sys

from stravasync.logsetup import RepeatFilter


def _record(msg: str, created: float, exc: type[BaseException] | None = None) -> logging.LogRecord:
    info = (exc, exc("boom"), None) if exc is not None else None
    record = logging.LogRecord("asyncio", logging.ERROR, "x.py", 1, msg, (), info)
    record.created = created
    return record


def test_one_line_a_second_for_the_same_error_then_a_count() -> None:
    flt = RepeatFilter(interval=1.0)
    passed = [
        flt.filter(_record("socket.accept() out of system resource", t / 1000, OSError))
        for t in range(0, 3000, 1)  # 3,000 in three seconds
    ]
    assert sum(passed) == 3
    third = _record("socket.accept() out of system resource", 3.0, OSError)
    assert flt.filter(third)
    assert "(999 more like this in 1.0s)" in third.getMessage()


def test_other_errors_pass_beside_a_flood() -> None:
    flt = RepeatFilter(interval=1.0)
    assert flt.filter(_record("refused a connection: %s open", 0.0))
    assert not flt.filter(_record("refused a connection: %s open", 0.1))
    assert flt.filter(_record("refused a connection: %s open", 0.2, OSError))  # another error
    assert flt.filter(_record("database locked", 0.3))


def test_the_service_handler_drops_repeats() -> None:
    from stravasync.config import LogFormat
    from stravasync.logsetup import adopt_loggers, configure_logging

    out = io.StringIO()
    configure_logging(LogFormat.HUMAN, "INFO", stream=out)
    try:
        adopt_loggers("asyncio")
        for _ in range(500):
            logging.getLogger("asyncio").error("socket.accept() out of system resource")
        assert out.getvalue().count("out of system resource") == 1
    finally:
        logging.getLogger("asyncio").handlers.clear()
        logging.getLogger("asyncio").propagate = True


FIT = (
    "import logging, resource; logging.basicConfig(level=logging.WARNING); "
    "from stravasync.web.connections import fit_file_limit; "
    "print(fit_file_limit({cap}), resource.getrlimit(resource.RLIMIT_NOFILE)[0])"
)


def _fit(cap: int, soft: int, hard: int) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

    return subprocess.run(
        [sys.executable, "-c", FIT.format(cap=cap)],
        capture_output=True,
        text=True,
        preexec_fn=limit,
        check=True,
    )


def test_the_cap_fits_the_file_limit() -> None:
    raised = _fit(1000, 512, 4096)  # the soft limit is raised towards the hard one
    assert raised.stdout.split() == ["1000", "1384"]
    assert raised.stderr == ""
    lowered = _fit(1000, 600, 600)  # no room: the cap is lowered, with a warning
    assert lowered.stdout.split() == ["216", "600"]
    assert "does not fit the open-file limit (600): serving at most 216" in lowered.stderr

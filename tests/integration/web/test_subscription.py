"""Our own validation GET before creating a subscription: clear messages when it cannot work."""

from __future__ import annotations

import pytest

from stravasync.config import load_settings
from stravasync.store import Database
from stravasync.web.app import create_app
from stravasync.web.intake.subscription import SubscriptionError, check_callback
from tests.e2e.web_helpers import serve_in_thread
from tests.integration.web.conftest import VERIFY


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_check_callback_over_real_http(db: Database, db_url: str) -> None:
    app = create_app(load_settings(database_url=db_url, webhook_verify_token=VERIFY), db)
    with serve_in_thread(app) as base:
        check_callback(base + "/webhooks/strava", VERIFY)  # echoes: no error
        with pytest.raises(SubscriptionError, match="refused the verify token"):
            check_callback(base + "/webhooks/strava", "another-token")
        with pytest.raises(SubscriptionError, match=r"without echoing hub\.challenge"):
            check_callback(base + "/healthz", VERIFY)
    with pytest.raises(SubscriptionError, match="does not answer"):
        check_callback(base + "/webhooks/strava", VERIFY, timeout=1)

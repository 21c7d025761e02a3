"""The contract itself: it reads Strava's definition as published, and it can fail."""

from __future__ import annotations

import pytest

from stravasync.strava.models import KNOWN_SPORT_TYPES, SummaryActivity, SummaryAthlete
from tests.contract import samples, spec


@pytest.mark.parametrize("path", spec.SERVED)
def test_required_fields_are_in_every_published_example(path: str) -> None:
    """``REQUIRED`` says no more than Strava's own examples of the endpoints we serve carry."""
    found = [
        (model, where, obj)
        for method, p, example, schema in spec.published_examples()
        if method == "get" and p == path
        for model, where, obj in spec.walk(example, schema)
    ]
    if path in ("/athletes/{id}/stats", "/activities/{id}/streams"):
        assert found == []  # no example (stats), or one not keyed by type (streams)
        return
    assert found
    for model, where, obj in found:
        missing = [f for f in spec.REQUIRED.get(model, ()) if f not in obj]
        recorded = (
            {"suffer_score", "calories", "description"} if model == "DetailedActivity" else set()
        )
        assert set(missing) <= recorded, (path, model, where, missing)


def test_the_known_sport_types_are_the_published_ones() -> None:
    assert set(spec.MODELS["SportType"]["enum"]) == KNOWN_SPORT_TYPES
    assert {"Basketball", "Cricket", "Dance", "Padel", "PhysicalTherapy", "Volleyball"} <= (
        KNOWN_SPORT_TYPES
    )


def test_swagger_refs_resolve_into_the_model_file() -> None:
    schema = spec.response_schema("get", "/athlete/activities")
    assert schema["items"]["$ref"].startswith(spec.MODEL_BASE)
    assert spec.problems([samples.listed()], schema) == []


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"sport_type": "Quidditch"}, "sport_type"),  # enum
        ({"distance": "8 km"}, "distance"),  # type
        ({"start_date": "yesterday"}, "start_date"),  # format date-time
        ({"bio": ""}, "bio"),  # a field the model does not have
        ({"id": None}, "id"),  # ids are never null
    ],
)
def test_the_contract_rejects_what_strava_would_not_send(
    change: dict[str, object], needle: str
) -> None:
    found = spec.problems(
        [samples.listed(**change)], spec.response_schema("get", "/athlete/activities")
    )
    assert found and any(needle in p for p in found), found


def test_a_missing_required_field_is_reported() -> None:
    broken = samples.listed()
    del broken["sport_type"]
    found = spec.problems(broken, spec.model_schema("SummaryActivity"))
    assert any("sport_type" in p and "required" in p for p in found)


def test_the_samples_fit_the_contract() -> None:
    assert (
        spec.problems(samples.KUDOERS, spec.response_schema("get", "/activities/{id}/kudos")) == []
    )
    assert spec.problems(samples.detailed(), spec.model_schema("DetailedActivity")) == []
    for fault in (samples.INVALID_CLIENT_ID, samples.INVALID_CODE, samples.WRONG_SECRET):
        assert spec.problems(fault, spec.model_schema("Fault")) == []


@pytest.mark.parametrize("model", [SummaryActivity, SummaryAthlete])
def test_client_models_require_only_what_strava_always_sends(model: type) -> None:
    """A field our model requires but Strava may omit would reject real answers (the kudoer)."""
    required = {name for name, f in model.model_fields.items() if f.is_required()}
    guaranteed = set(spec.REQUIRED[model.__name__])
    assert required <= guaranteed, required - guaranteed

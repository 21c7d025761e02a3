"""Strava's published API definition as JSON Schema validators (see SOURCE.md).

The swagger's response schemas point into per-resource model files
(``https://developers.strava.com/swagger/activity.json#/SummaryActivity``); a ``referencing``
registry serves those URLs from the vendored ``strava_models.json``, so ``jsonschema`` resolves
them as published. Each model is checked strictly: its types, enums and formats (``date-time``
by RFC 3339, ``int64``), the fields in ``REQUIRED``, and no field the model does not declare
unless Strava's own examples of the model carry it (or ``RECORDED_EXTRAS`` says where it was
seen). Any field but an ``id`` may be null (swagger 2.0 cannot say so; Strava's examples do it).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator, FormatChecker, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

HERE = Path(__file__).parent
SWAGGER: dict[str, Any] = json.loads((HERE / "strava_swagger.json").read_text())
MODELS: dict[str, Any] = json.loads((HERE / "strava_models.json").read_text())["definitions"]
MODEL_BASE = "https://developers.strava.com/swagger/"

# Fields every response of a model carries (present; null allowed unless an id). From Strava's
# examples (``test_required_fields_are_in_every_published_example`` holds each one to them),
# except those marked "recorded": seen in responses recorded from www.strava.com (issue 13).
REQUIRED: dict[str, tuple[str, ...]] = {
    "SummaryActivity": (
        "id",
        "resource_state",
        "athlete",
        "name",
        "distance",
        "moving_time",
        "elapsed_time",
        "total_elevation_gain",
        "type",
        "sport_type",
        "start_date",
        "start_date_local",
        "timezone",
        "utc_offset",
        "map",
        "trainer",
        "commute",
        "manual",
        "private",
        "kudos_count",
    ),
    "DetailedActivity": (),  # set below: SummaryActivity's and its own
    "MetaAthlete": ("id",),
    "MetaActivity": ("id",),
    "Lap": ("id", "name", "activity", "athlete", "elapsed_time", "moving_time", "distance"),
    "DetailedSegmentEffort": ("id", "name", "activity", "athlete", "elapsed_time"),
    "SummarySegment": ("id", "name", "distance"),
    "Split": ("distance", "elapsed_time", "moving_time", "split"),
    "SummaryAthlete": ("firstname", "lastname"),
    "DetailedAthlete": ("id", "resource_state", "firstname", "lastname"),
    "Fault": ("message", "errors"),
    "Error": ("resource", "field", "code"),
    "ActivityTotal": ("count", "distance", "moving_time", "elapsed_time", "elevation_gain"),
    # in both published examples (GET /athlete's bikes and shoes, GET /gear/{id})
    "SummaryGear": ("id", "primary", "resource_state", "distance"),
    "DetailedGear": ("id", "primary", "resource_state", "distance", "brand_name", "model_name"),
}
REQUIRED["DetailedActivity"] = (
    *REQUIRED["SummaryActivity"],
    "suffer_score",
    "laps",
    "segment_efforts",
    "splits_metric",
    "calories",
    "description",
)
# Required inside a context only (recorded from www.strava.com, 2025): the activity a lap or an
# effort points to says its visibility; a segment of an effort has its elevation profile.
REQUIRED_IN: dict[tuple[str, str], tuple[str, ...]] = {
    ("Lap", "activity"): ("visibility",),
    ("DetailedSegmentEffort", "activity"): ("visibility",),
    ("DetailedSegmentEffort", "segment"): ("elevation_profile",),
}
# Fields outside a model that responses recorded from www.strava.com carry (and where seen).
RECORDED_EXTRAS: dict[str, dict[str, str]] = {
    "SummaryActivity": {
        "visibility": "every listing since 2022 (everyone | followers_only | only_me)",
        "upload_id_str": "listings recorded 2025 (upload_id as a string)",
        "heartrate_opt_out": "listings recorded 2025",
        "display_hide_heartrate_option": "listings recorded 2025",
    },
    "DetailedActivity": {
        "perceived_exertion": "details recorded 2025",
        "prefer_perceived_exertion": "details recorded 2025",
        "stats_visibility": "details recorded 2025",
        "available_zones": "details recorded 2025",
    },
    "MetaActivity": {"visibility": "laps and efforts recorded 2025 (activity.visibility)"},
    "Lap": {
        "average_heartrate": "laps of activities with heart rate (recorded)",
        "max_heartrate": "laps of activities with heart rate (recorded)",
    },
    "Split": {
        "average_grade_adjusted_speed": "splits of runs (recorded)",
        "average_heartrate": "splits of activities with heart rate (recorded)",
    },
    "SummaryAthlete": {
        "username": "token answers (Strava's authentication page example)",
        "badge_type_id": "token answers (Strava's authentication page example)",
        "friend": "token answers (Strava's authentication page example)",
        "follower": "token answers (Strava's authentication page example)",
    },
    "DetailedAthlete": {
        "bio": "GET /athlete with profile:read_all (recorded)",
        "blocked": "GET /athlete with profile:read_all (recorded)",
        "can_follow": "GET /athlete with profile:read_all (recorded)",
        "postable_clubs_count": "GET /athlete with profile:read_all (recorded)",
    },
    "SummarySegment": {"elevation_profile": "segment efforts recorded 2025"},
    "SummaryGear": {
        "nickname": "gear of details and of GET /athlete (recorded)",
        "retired": "gear of details and of GET /athlete (recorded)",
        "converted_distance": "gear of details and of GET /athlete (recorded)",
    },
}
ENUM_MODELS = {"SportType", "ActivityType", "StreamType"}
# What the simulator serves (GET), the endpoints the contract holds it to.
SERVED = (
    "/athlete",
    "/athlete/activities",
    "/activities/{id}",
    "/activities/{id}/laps",
    "/activities/{id}/kudos",
    "/activities/{id}/streams",
    "/athletes/{id}/stats",
    "/gear/{id}",
)


def _name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


@cache
def properties(model: str) -> dict[str, Any]:
    """A model's properties, its ``allOf`` parents' included (as published, unmodified)."""
    out: dict[str, Any] = {}
    schema = MODELS[model]
    for part in schema.get("allOf", [schema]):
        if "$ref" in part:
            out.update(properties(_name(part["$ref"])))
        else:
            out.update(part.get("properties", {}))
    return out


def _target(schema: dict[str, Any]) -> tuple[str | None, dict[str, Any] | None]:
    """The model a property schema refers to, or the item schema of an array of models."""
    if "$ref" in schema:
        return _name(schema["$ref"]), None
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        return None, schema["items"]
    return None, None


def walk(value: Any, schema: dict[str, Any], path: str = "") -> Iterator[tuple[str, str, Any]]:
    """Every (model, path, object) of ``value`` that ``schema`` says is a model object."""
    model, items = _target(schema)
    if items is not None and isinstance(value, list):
        for i, item in enumerate(value):
            yield from walk(item, items, f"{path}[{i}]")
        return
    if model is None or model in ENUM_MODELS or not isinstance(value, dict):
        return
    if MODELS[model].get("type") == "array":  # LatLng
        return
    yield model, path, value
    props = properties(model)
    for key, sub in value.items():
        if key in props:
            yield from walk(sub, props[key], f"{path}.{key}" if path else key)


def published_examples() -> Iterator[tuple[str, str, Any, dict[str, Any]]]:
    """(method, path, example, schema) of every 2xx example in Strava's swagger."""
    for path, ops in SWAGGER["paths"].items():
        for method, op in ops.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            for status, resp in op["responses"].items():
                example = (resp.get("examples") or {}).get("application/json")
                if status.startswith("2") and example is not None and "schema" in resp:
                    yield method, path, example, resp["schema"]


@cache
def example_extras() -> dict[str, frozenset[str]]:
    """Per model, the fields outside it that Strava's own examples of it carry."""
    found: dict[str, set[str]] = {}
    for _m, _p, example, schema in published_examples():
        for model, _path, obj in walk(example, schema):
            found.setdefault(model, set()).update(set(obj) - set(properties(model)))
    return {k: frozenset(v) for k, v in found.items()}


def parents(model: str) -> list[str]:
    return [_name(p["$ref"]) for p in MODELS[model].get("allOf", []) if "$ref" in p]


@cache
def allowed_extras(model: str) -> frozenset[str]:
    """Fields outside the model that may appear: in Strava's examples of it or of a parent
    (a DetailedActivity is a SummaryActivity), or recorded."""
    own = example_extras().get(model, frozenset()) | frozenset(RECORDED_EXTRAS.get(model, {}))
    for parent in parents(model):
        own |= allowed_extras(parent)
    return own


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [{"type": "null"}, schema]}


@cache
def strict_models() -> dict[str, Any]:
    """The model definitions made strict: ``allOf`` flattened, required fields, no undeclared
    field beyond the allowed extras, null accepted for every property but ``id``."""
    out: dict[str, Any] = {}
    for model, schema in MODELS.items():
        if model == "LatLng":  # without GPS Strava sends [] (recorded), which the model forbids
            out[model] = {"anyOf": [{"type": "array", "maxItems": 0}, copy.deepcopy(schema)]}
            continue
        if "allOf" not in schema and "properties" not in schema:
            out[model] = copy.deepcopy(schema)  # enums
            continue
        props = {
            key: (copy.deepcopy(sub) if key == "id" else _nullable(copy.deepcopy(sub)))
            for key, sub in properties(model).items()
        }
        for extra in allowed_extras(model):
            props.setdefault(extra, {})
        out[model] = {
            "type": "object",
            "properties": props,
            "additionalProperties": False,
            "required": list(REQUIRED.get(model, ())),
        }
    return out


@cache
def registry() -> Registry:
    """The model files at the URLs the swagger names, each holding every strict model."""
    contents = {"definitions": strict_models(), **strict_models()}
    files = {"activity", "athlete", "lap", "stream", "activity_stats", "fault", "segment"}
    files |= {
        ref.split(MODEL_BASE, 1)[1].split("#", 1)[0].removesuffix(".json")
        for ref in _refs(SWAGGER)
        if ref.startswith(MODEL_BASE)
    }
    resources = [
        (f"{MODEL_BASE}{name}.json", Resource.from_contents(contents, default_specification=DRAFT4))
        for name in sorted(files)
    ]
    return Registry().with_resources(resources)


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _checker() -> FormatChecker:
    checker = FormatChecker()

    @checker.checks("int64")
    def _int64(value: object) -> bool:
        return not isinstance(value, int) or -(2**63) <= value < 2**63

    return checker


FORMATS = _checker()


def response_schema(method: str, path: str, status: str = "200") -> dict[str, Any]:
    responses = SWAGGER["paths"][path][method.lower()]["responses"]
    schema: dict[str, Any] = responses.get(status, responses["default"])["schema"]
    return schema


def model_schema(model: str) -> dict[str, Any]:
    return {"$ref": f"{MODEL_BASE}activity.json#/{model}"}


def _leaves(err: ValidationError) -> list[ValidationError]:
    """The errors under a nullable field's ``anyOf`` that say what is wrong (not "not null")."""
    if err.validator != "anyOf" or not err.context:
        return [err]
    inner = [e for e in err.context if e.relative_schema_path and e.relative_schema_path[0] == 1]
    return [leaf for e in inner for leaf in _leaves(e)] or [err]


def problems(instance: Any, schema: dict[str, Any]) -> list[str]:
    """Every way ``instance`` breaks ``schema`` (swagger schema or :func:`model_schema`), plus
    the context rules of ``REQUIRED_IN``; [] when it fits."""
    validator = Draft4Validator(schema, registry=registry(), format_checker=FORMATS)
    out = [
        f"{'/'.join(str(p) for p in leaf.absolute_path) or '<root>'}: {leaf.message}"
        for err in validator.iter_errors(instance)
        for leaf in _leaves(err)
    ]
    for model, where, obj in walk(instance, schema):
        for (outer, key), fields in REQUIRED_IN.items():
            inner = obj.get(key) if model == outer else None
            if isinstance(inner, dict):
                out += [f"{where}.{key}: {f!r} is missing" for f in fields if f not in inner]
    return out

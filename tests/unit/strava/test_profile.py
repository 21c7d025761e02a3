"""The kept athlete profile: SummaryAthlete names/pictures/place only, bounded, never tokens."""

from __future__ import annotations

from stravasync.strava.profile import athlete_profile


def test_keeps_names_pictures_and_place_only() -> None:
    raw = {
        "id": 7,
        "firstname": " Ann ",
        "lastname": "B.",
        "city": "Leeds",
        "country": "United Kingdom",
        "profile": "https://example.com/large.jpg",
        "profile_medium": "https://example.com/medium.jpg",
        "premium": True,
        "access_token": "secret-a",
        "refresh_token": "secret-r",
        "weight": 70.5,
    }
    assert athlete_profile(raw) == {
        "firstname": "Ann",
        "lastname": "B.",
        "city": "Leeds",
        "country": "United Kingdom",
        "profile": "https://example.com/large.jpg",
        "profile_medium": "https://example.com/medium.jpg",
    }


def test_drops_what_does_not_fit() -> None:
    raw = {
        "firstname": "x" * 256,  # over the column's 255
        "lastname": 42,  # not a string
        "city": "   ",  # blank
        "profile": "javascript:alert(1)",  # not an https url
        "profile_medium": "https://e.com/" + "a" * 2000,  # too long
        "username": "ann_b",
    }
    assert athlete_profile(raw) == {"username": "ann_b"}
    assert athlete_profile(None) == {} and athlete_profile(["firstname"]) == {}

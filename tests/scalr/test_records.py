"""One status vocabulary for both generations (scalr.md B9, A9, C4)."""

from __future__ import annotations

import pytest

from vendors.scalr.client.records import FarmStatus, ServerStatus, farm_status, server_status


@pytest.mark.parametrize("value, expected", [
    (0, FarmStatus.TERMINATED), ("1", FarmStatus.RUNNING), ("2", FarmStatus.PENDING_TERMINATE),
    ("3", FarmStatus.SYNCHRONIZING), ("running", FarmStatus.RUNNING), ("pending_launch", FarmStatus.PENDING_LAUNCH),
    ("suspended", FarmStatus.SUSPENDED), ("pending_terminate", FarmStatus.PENDING_TERMINATE),
    ("9", FarmStatus.UNKNOWN), (None, FarmStatus.UNKNOWN), ("", FarmStatus.UNKNOWN),
])
def test_farm_status(value, expected):
    assert farm_status(value) == expected


@pytest.mark.parametrize("legacy, modern", [
    ("Pending launch", "pending_launch"), ("Pending terminate", "pending_terminate"), ("Running", "running"),
    ("Initializing", "initializing"), ("Pending suspend", "pending_suspend"), ("Troubleshooting", "troubleshooting"),
    ("Temporary", "temporary"), ("Importing", "importing"), ("Resuming", "resuming"), ("Suspended", "suspended"),
])
def test_server_status_both_spellings(legacy, modern):
    assert server_status(legacy) == server_status(modern) == ServerStatus(modern)


def test_unknown_server_status():
    assert server_status("Exploding") == ServerStatus.UNKNOWN


def test_a_farm_status_of_odd_digits_is_unknown_not_a_crash():
    # Python's isdigit() accepts superscripts, which int() refuses; int() refuses thousands of digits too
    assert farm_status("²") == farm_status("9" * 5000) == FarmStatus.UNKNOWN

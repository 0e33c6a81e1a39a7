"""The quarantine share of one topic and event hour, read from the RhythmFlow lake commit log.

Standard library only, so the same code runs inside Great Expectations (through
``expect_quarantined_share_to_be_below.py``) and in RhythmFlow's tests, which have no GX. The semantics are those of
``rhythmflow validate`` (jobs/RhythmFlow.Quality: QuarantineShareExpectation, LakeQuarantineCounts, ExpectationCatalog):

* quarantined: the counts the landing job recorded under ``quarantine`` in every commit record, for the topic and the
  event hours of the batch;
* landed: the rows of the raw files that batch records (``kind`` ``Batch``) list for the topic and those hours;
* share = quarantined / (quarantined + landed), 0 when both are 0; the expectation passes when share <= max_value.
"""

from __future__ import annotations

import json
import math
import os
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Mapping

EXPECTATION_TYPE = "expect_quarantined_share_to_be_below"

# RhythmFlow.Contracts.Topics.All, in that order.
TOPICS = ("listen_events", "page_view_events", "auth_events", "status_change_events")

COMMITS_FOLDER = "_commits"

# Kwargs GX's Expectation model takes besides the expectation's own (RhythmFlow's validator accepts the same).
COMMON_KWARGS = ("result_format", "catch_exceptions", "meta", "include_config", "severity")


class QuarantineShareError(Exception):
    """A failure while measuring (no lake, a batch without an hour): the expectation fails with the message."""


def check_kwargs(kwargs: Mapping[str, Any]) -> tuple[str, float]:
    """The expectation's ``topic`` and ``max_value``, or ``ValueError`` naming the problem (as the validator refuses)."""
    unknown = sorted(k for k in kwargs if k not in ("topic", "max_value") and k not in COMMON_KWARGS)
    if unknown:
        raise ValueError(f"unknown kwarg(s) {', '.join(repr(k) for k in unknown)}.")
    return check_topic(kwargs.get("topic")), check_max_value(kwargs.get("max_value"))


def check_topic(topic: Any) -> str:
    if topic is None:
        raise ValueError("kwarg 'topic' is required.")
    if not isinstance(topic, str) or topic not in TOPICS:
        raise ValueError(f"kwarg 'topic' = '{topic}' is not a topic; use one of {', '.join(TOPICS)}.")
    return topic


def check_max_value(max_value: Any) -> float:
    # bool is an int in Python, but true is not a share.
    if (
        isinstance(max_value, bool)
        or not isinstance(max_value, (int, float))
        or not math.isfinite(max_value)
        or not 0 <= max_value <= 1
    ):
        raise ValueError("kwarg 'max_value' must be a share between 0 and 1.")
    return float(max_value)


def lake_root(environment: Mapping[str, str]) -> str:
    """Where the lake is, from the settings every ``rhythmflow`` verb reads: ``Lake:Root``, else ``<work dir>/lake``."""
    root = environment.get("RHYTHMFLOW_LAKE__ROOT")
    if root:
        return root
    return os.path.join(environment.get("RHYTHMFLOW_PATHS__WORKDIR") or ".rhythmflow", "lake")


def read_commit_log(root: str) -> list[dict]:
    """Every commit record of the lake at ``root``, in sequence order."""
    if "://" in root:
        raise QuarantineShareError(
            f"the lake '{root}' is not a local folder; this plugin reads the commit log from a folder "
            "(mount the lake, or point RHYTHMFLOW_LAKE__ROOT at a copy)."
        )
    folder = os.path.join(root, COMMITS_FOLDER)
    if not os.path.isdir(root):
        raise QuarantineShareError(
            f"no lake folder at '{root}', so quarantine counts are unknown (set RHYTHMFLOW_LAKE__ROOT or RHYTHMFLOW_PATHS__WORKDIR)."
        )
    if not os.path.isdir(folder):
        return []
    records = []
    for name in sorted(n for n in os.listdir(folder) if n.endswith(".json")):
        with open(os.path.join(folder, name), encoding="utf-8") as handle:
            try:
                records.append(json.load(handle))
            except json.JSONDecodeError as error:
                raise QuarantineShareError(f"lake commit record {COMMITS_FOLDER}/{name} is not readable: {error}") from error
    return records


def hour_of_batch(batch_identifiers: Mapping[str, Any] | None) -> tuple[datetime, datetime]:
    """The hour [start, end) of a batch of the ``hourly`` definitions (``partition_on_date_parts`` year/month/day/hour).

    GX keys the parts by the partition column (``{"ts": {"year": ..., "hour": ...}}``); flat parts are accepted too.
    """
    parts = ("year", "month", "day", "hour")
    candidates = [batch_identifiers or {}]
    candidates += [v for v in (batch_identifiers or {}).values() if isinstance(v, Mapping)]
    for candidate in candidates:
        if all(p in candidate for p in parts):
            start = datetime(*(int(candidate[p]) for p in parts), tzinfo=timezone.utc)
            return start, start + timedelta(hours=1)
    raise QuarantineShareError(
        f"the batch {dict(batch_identifiers or {})} has no hour; the quarantine share is measured per hour batch."
    )


def _instant(text: str) -> datetime:
    # .NET writes offsets as +00:00; Python before 3.11 does not read a trailing Z.
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def quarantine_counts(records: Iterable[Mapping[str, Any]], topic: str, start: datetime, end: datetime) -> tuple[int, int]:
    """(quarantined, landed) for ``topic`` and the event hours in [start, end)."""
    quarantined = 0
    landed = 0
    for record in records:
        for count in record.get("quarantine") or []:
            if count["topic"] == topic and start <= _instant(count["eventHour"]) < end:
                quarantined += int(count["count"])
        if record.get("kind") != "Batch":
            continue
        for file in record.get("files") or []:
            if file["kind"] == "Raw" and file["topic"] == topic and start <= _instant(file["eventHour"]) < end:
                landed += int(file["rows"])
    return quarantined, landed


def outcome(topic: str, max_value: float, quarantined: int, landed: int) -> dict:
    """GX's ``{success, result}`` with the fields ``rhythmflow validate`` reports."""
    total = quarantined + landed
    share = 0.0 if total == 0 else quarantined / total
    return {
        "success": share <= max_value,
        "result": {
            "observed_value": share,
            "details": {"quarantined_count": quarantined, "landed_count": landed, "topic": topic},
        },
    }


def evaluate(kwargs: Mapping[str, Any], batch_identifiers: Mapping[str, Any] | None, environment: Mapping[str, str]) -> dict:
    """The whole expectation for one batch, as GX runs it: kwargs, the batch's hour, the lake, the verdict."""
    topic, max_value = check_kwargs(kwargs)
    start, end = hour_of_batch(batch_identifiers)
    quarantined, landed = quarantine_counts(read_commit_log(lake_root(environment)), topic, start, end)
    return outcome(topic, max_value, quarantined, landed)


if __name__ == "__main__":
    # For tests and a look by hand: python3 rhythmflow_quarantine.py '{"kwargs": {...}, "batch_identifiers": {...}}'
    import sys

    request = json.loads(sys.argv[1])
    try:
        answer = evaluate(request["kwargs"], request.get("batch_identifiers"), request.get("environment", os.environ))
    except ValueError as problem:
        answer = {"config_error": str(problem)}
    except QuarantineShareError as problem:
        answer = {"success": False, "exception_info": {"raised_exception": True, "exception_message": str(problem)}}
    print(json.dumps(answer))

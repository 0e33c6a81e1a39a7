"""
### rhythmflow_landing

Every two minutes, drains what Kafka holds on the four event topics into the Parquet lake as one
exactly-once batch (`rhythmflow land --once`), then exits. One run at a time: the lake commit log
orders batches, and a second concurrent run would only wait for the consumer group.

Nothing to backfill: offsets, not dates, say what is left to land. See `docs/orchestration.md`.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG

from rhythmflow_tasks import DEFAULT_ARGS, rhythmflow_task

with DAG(
    dag_id="rhythmflow_landing",
    schedule="*/2 * * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={**DEFAULT_ARGS, "retries": 1},
    dagrun_timeout=pendulum.duration(minutes=10),
    doc_md=__doc__,
    tags=["rhythmflow", "landing"],
) as dag:
    land = rhythmflow_task("land", ["land", "--once"])

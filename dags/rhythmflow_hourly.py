"""
### rhythmflow_hourly

For each hour of event time (the run's data interval), in order:

1. `transform` replaces that hour in the warehouse's `raw` tables from the committed lake files
   (and rebuilds earlier hours that received late events);
2. `validate_raw` runs the raw-batch Great Expectations checkpoint; an error-level failure stops the run
   before bad rows reach the marts;
3. `model_build` builds the dbt project with its tests, passing the interval as dbt vars: the incremental models
   recompute only the keys touched by the hours the transform (re)built for it (late hours included), and the
   tests check the rows from the interval on; seeds and views are idempotent;
4. `validate_marts` runs the marts checkpoint.

Every task is idempotent for its interval, so clearing or backfilling any hour is safe:
`airflow backfill create --dag-id rhythmflow_hourly --from-date ... --to-date ... --reprocess-behavior failed`.
The same chain runs locally with `rhythmflow run hourly` and `rhythmflow backfill`. See `docs/orchestration.md`.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG
from airflow.timetables.interval import CronDataIntervalTimetable

from rhythmflow_tasks import DEFAULT_ARGS, rhythmflow_task

# Airflow 3 gives a plain cron schedule a zero-length interval; this timetable keeps "the hour that just ended".
HOURLY = CronDataIntervalTimetable("0 * * * *", timezone="UTC")
INTERVAL = ["--interval-start", "{{ data_interval_start }}", "--interval-end", "{{ data_interval_end }}"]
# The model build recomputes only what the hours transformed for this interval touched (docs/dbt.md).
INTERVAL_VARS = "{data_interval_start: '{{ data_interval_start }}', data_interval_end: '{{ data_interval_end }}'}"

with DAG(
    dag_id="rhythmflow_hourly",
    schedule=HOURLY,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=True,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    dagrun_timeout=pendulum.duration(hours=2),
    doc_md=__doc__,
    tags=["rhythmflow", "hourly"],
) as dag:
    transform = rhythmflow_task("transform", ["transform", *INTERVAL])
    validate_raw = rhythmflow_task("validate_raw", ["validate", "--checkpoint", "raw_hourly", *INTERVAL])
    model_build = rhythmflow_task("model_build", ["model", "build", "--vars", INTERVAL_VARS])
    validate_marts = rhythmflow_task("validate_marts", ["validate", "--checkpoint", "marts_hourly", *INTERVAL])

    transform >> validate_raw >> model_build >> validate_marts

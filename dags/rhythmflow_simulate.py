"""
### rhythmflow_simulate

For demo and load-test environments only: produces each hour's simulated listening, page views,
authentications and status changes into Kafka (`rhythmflow simulate --sink kafka`), so the landing and
hourly DAGs have something to process. Paused by default; never enable it next to real producers.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG
from airflow.timetables.interval import CronDataIntervalTimetable

from rhythmflow_tasks import DEFAULT_ARGS, rhythmflow_task

with DAG(
    dag_id="rhythmflow_simulate",
    schedule=CronDataIntervalTimetable("0 * * * *", timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    is_paused_upon_creation=True,
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
    tags=["rhythmflow", "simulate", "demo"],
) as dag:
    simulate = rhythmflow_task(
        "simulate",
        [
            "simulate",
            "--start",
            "{{ data_interval_start }}",
            "--end",
            "{{ data_interval_end }}",
            "--users",
            "2000",
            "--sink",
            "kafka",
        ],
    )

"""Loads dags/ in a real Airflow DagBag and prints each DAG's tasks and dependencies as JSON (needs Airflow 3)."""

import json
import sys

try:
    from airflow.dag_processing.dagbag import DagBag
except ImportError:  # Airflow 3.0 still exports it from airflow.models
    from airflow.models.dagbag import DagBag

bag = DagBag(dag_folder=sys.argv[1], include_examples=False)
json.dump(
    {
        "importErrors": {str(k): str(v) for k, v in bag.import_errors.items()},
        "dags": {
            dag_id: {
                "timetable": type(dag.timetable).__name__,
                "catchup": dag.catchup,
                "tasks": {t.task_id: sorted(t.upstream_task_ids) for t in dag.tasks},
            }
            for dag_id, dag in bag.dags.items()
        },
    },
    sys.stdout,
)

"""The one kind of task every RhythmFlow DAG runs: ``rhythmflow <verb> ...`` in the RhythmFlow image.

DAG files stay thin (schedule, docs, defaults, dependencies); all logic lives in the C# verbs. The environment
chooses how the image runs, by the ``RHYTHMFLOW_OPERATOR`` environment variable or else the Airflow Variable
``rhythmflow_operator`` (settable as ``AIRFLOW_VAR_RHYTHMFLOW_OPERATOR``):

* ``docker`` (default): the docker-compose stack, ``DockerOperator`` on the host's Docker engine;
* ``kubernetes``: Cloud Composer or GKE, ``KubernetesPodOperator`` with resources and Kubernetes secrets.

Provider imports happen inside the builders so a scheduler only needs the provider it uses.
"""

from __future__ import annotations

import os
from datetime import timedelta

from airflow.sdk import Variable

DEFAULT_ARGS = {
    "owner": "rhythmflow",
    "depends_on_past": False,
    "retries": 3,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=15),
    "execution_timeout": timedelta(minutes=30),
}

# Settings the tasks receive come from the scheduler's own RHYTHMFLOW_* environment, never from DAG code.
_ORCHESTRATION_SETTINGS = {"RHYTHMFLOW_OPERATOR", "RHYTHMFLOW_IMAGE"}


def _setting(name: str, default: str) -> str:
    value = os.environ.get(name.upper())
    if value:
        return value
    return Variable.get(name.lower(), default=default)


def _forwarded_environment() -> dict[str, str]:
    return {
        key: value
        for key, value in os.environ.items()
        if key.startswith("RHYTHMFLOW_") and key not in _ORCHESTRATION_SETTINGS
    }


def rhythmflow_task(task_id: str, arguments: list[str]):
    """An operator that runs ``rhythmflow`` with ``arguments`` in the RhythmFlow image."""
    kind = _setting("rhythmflow_operator", "docker")
    image = _setting("rhythmflow_image", "rhythmflow:local")
    if kind == "docker":
        return _docker_task(task_id, arguments, image)
    if kind == "kubernetes":
        return _pod_task(task_id, arguments, image)
    raise ValueError(f"rhythmflow_operator is '{kind}'; set it to 'docker' or 'kubernetes'.")


def _docker_task(task_id: str, arguments: list[str], image: str):
    from airflow.providers.docker.operators.docker import DockerOperator
    from docker.types import Mount

    return DockerOperator(
        task_id=task_id,
        image=image,
        command=arguments,
        # private_environment is neither templated nor shown in the UI, so connection strings stay out of sight.
        private_environment=_forwarded_environment(),
        docker_url=_setting("rhythmflow_docker_url", "unix://var/run/docker.sock"),
        network_mode=_setting("rhythmflow_docker_network", "rhythmflow"),
        mounts=[Mount(source=_setting("rhythmflow_lake_volume", "rhythmflow-lake"), target="/data", type="volume")],
        mount_tmp_dir=False,
        auto_remove="success",
    )


def _pod_task(task_id: str, arguments: list[str], image: str):
    from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
    from airflow.providers.cncf.kubernetes.secret import Secret
    from kubernetes.client import models as k8s

    return KubernetesPodOperator(
        task_id=task_id,
        name=f"rhythmflow-{task_id.replace('_', '-')}",
        image=image,
        arguments=arguments,
        namespace=_setting("rhythmflow_namespace", "rhythmflow"),
        service_account_name=_setting("rhythmflow_service_account", "rhythmflow-jobs"),
        # Every key of the Kubernetes secret becomes an environment variable (RHYTHMFLOW_KAFKA__..., _WAREHOUSE__...).
        secrets=[Secret("env", None, _setting("rhythmflow_secret", "rhythmflow-settings"))],
        container_resources=k8s.V1ResourceRequirements(
            requests={"cpu": "1", "memory": "1Gi"},
            limits={"cpu": "2", "memory": "2Gi"},
        ),
        image_pull_policy="IfNotPresent",
        get_logs=True,
        on_finish_action="delete_succeeded_pod",
    )

"""RhythmFlow's custom GX 1.x expectation ``expect_quarantined_share_to_be_below``.

Of the messages of ``topic`` whose event hour is the batch's, the share the landing job quarantined
(quarantined / (quarantined + landed)) must not exceed ``max_value``. The counts come from the lake commit log, so the
raw suites see what never reached the warehouse. ``rhythmflow validate`` implements the same expectation; the
arithmetic and the result fields live in ``rhythmflow_quarantine.py``, shared with RhythmFlow's tests.

GX 1.x registers an expectation when its class is defined, under the snake case of the class name, and a File data
context puts ``plugins_directory`` (``gx/plugins/``) on ``sys.path`` but imports nothing from it. Whatever runs GX
must therefore import this module after ``gx.get_context()`` and before it loads a suite that uses the type:

    context = gx.get_context(mode="file", project_root_dir="great_expectations")
    import expect_quarantined_share_to_be_below  # noqa: F401  (registers the expectation and its metric)

The lake is found as every ``rhythmflow`` verb finds it: ``RHYTHMFLOW_LAKE__ROOT``, else
``$RHYTHMFLOW_PATHS__WORKDIR/lake`` (``/data/lake`` in the image).
"""

from __future__ import annotations

import os
from typing import Any, ClassVar, Dict, Optional, Tuple, Union

import rhythmflow_quarantine as quarantine
from great_expectations.compatibility import pydantic
from great_expectations.core.suite_parameters import SuiteParameterDict
from great_expectations.execution_engine import ExecutionEngine, SqlAlchemyExecutionEngine
from great_expectations.expectations.expectation import BatchExpectation
from great_expectations.expectations.metrics.metric_provider import metric_value
from great_expectations.expectations.metrics.table_metric_provider import TableMetricProvider


class RhythmflowQuarantineCounts(TableMetricProvider):
    """(quarantined, landed) of ``topic`` in the batch's event hour, from the lake commit log."""

    metric_name = "rhythmflow.quarantine_counts"
    value_keys = ("topic",)

    @metric_value(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(
        cls,
        execution_engine: SqlAlchemyExecutionEngine,
        metric_domain_kwargs: dict,
        metric_value_kwargs: dict,
        metrics: Dict[str, Any],
        runtime_configuration: dict,
    ) -> Tuple[int, int]:
        batches = execution_engine.batch_manager.batch_cache
        batch = batches.get(metric_domain_kwargs.get("batch_id")) or execution_engine.batch_manager.active_batch
        batch_spec = batch.batch_spec if batch is not None else {}
        start, end = quarantine.hour_of_batch(batch_spec.get("batch_identifiers"))
        records = quarantine.read_commit_log(quarantine.lake_root(os.environ))
        return quarantine.quarantine_counts(records, metric_value_kwargs["topic"], start, end)


class ExpectQuarantinedShareToBeBelow(BatchExpectation):
    """Expect the share of a topic's messages the landing job quarantined in the batch's hour to be at most max_value.

    Args:
        topic (str): the Kafka topic whose landing is measured (listen_events, page_view_events, auth_events,
            status_change_events).
        max_value (float): the largest acceptable share, between 0 and 1 (inclusive).
    """

    topic: str
    max_value: Union[float, SuiteParameterDict]

    metric_dependencies: ClassVar[Tuple[str, ...]] = ("rhythmflow.quarantine_counts",)
    success_keys: ClassVar[Tuple[str, ...]] = ("topic", "max_value")
    domain_keys: ClassVar[Tuple[str, ...]] = ("batch_id", "table")

    @pydantic.validator("topic")
    def _check_topic(cls, topic: str) -> str:
        return quarantine.check_topic(topic)

    @pydantic.validator("max_value")
    def _check_max_value(cls, max_value: Union[float, SuiteParameterDict]) -> Union[float, SuiteParameterDict]:
        # A suite parameter is resolved at validation time and checked in _validate.
        return max_value if isinstance(max_value, dict) else quarantine.check_max_value(max_value)

    def _validate(
        self,
        metrics: Dict,
        runtime_configuration: Optional[dict] = None,
        execution_engine: Optional[ExecutionEngine] = None,
    ) -> Dict[str, Any]:
        kwargs = self._get_success_kwargs()
        topic = quarantine.check_topic(kwargs["topic"])
        max_value = quarantine.check_max_value(kwargs["max_value"])
        quarantined, landed = metrics["rhythmflow.quarantine_counts"]
        return quarantine.outcome(topic, max_value, quarantined, landed)

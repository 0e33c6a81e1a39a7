-- Orchestration state (owned by RhythmFlow.Orchestration): one row per DAG and data interval that the CLI's
-- runner (rhythmflow run / backfill / demo) has started, so a backfill resumes where it stopped and can
-- reprocess failed or completed intervals on request, as Airflow's backfill does.
CREATE TABLE rhythmflow.interval_runs (
    dag_id           text        NOT NULL,
    interval_start   timestamptz NOT NULL,
    interval_end     timestamptz NOT NULL,
    state            text        NOT NULL CHECK (state IN ('running', 'succeeded', 'failed')),
    attempts         integer     NOT NULL DEFAULT 1,
    started_at       timestamptz NOT NULL,
    finished_at      timestamptz,
    failed_task      text,
    error            text,
    PRIMARY KEY (dag_id, interval_start),
    CHECK (interval_end > interval_start)
);

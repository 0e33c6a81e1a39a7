-- Which lake batches each (topic, event hour) of the raw layer was last built from. The transform compares this
-- with the lake commit log to find hours whose partitions received batches since: late data to rebuild.
CREATE TABLE rhythmflow.hour_builds (
    topic            text        NOT NULL,
    event_hour       timestamptz NOT NULL,
    built_at         timestamptz NOT NULL,
    rows_read        bigint      NOT NULL,
    duplicates       bigint      NOT NULL,
    rows_loaded      bigint      NOT NULL,
    PRIMARY KEY (topic, event_hour)
);

CREATE TABLE rhythmflow.hour_build_batches (
    topic            text        NOT NULL,
    event_hour       timestamptz NOT NULL,
    landing_batch_id text        NOT NULL,
    PRIMARY KEY (topic, event_hour, landing_batch_id),
    FOREIGN KEY (topic, event_hour) REFERENCES rhythmflow.hour_builds (topic, event_hour) ON DELETE CASCADE
);

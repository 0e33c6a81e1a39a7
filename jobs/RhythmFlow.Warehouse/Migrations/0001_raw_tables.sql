-- The raw layer: one table per topic, columns exactly as RhythmFlow.Contracts.LakeSchema.ColumnsOf(topic)
-- (event columns in eventsim's order, then the landing job's lineage). The hourly transform replaces one
-- event hour at a time, selected by ts, so ts is indexed. A test checks this file against LakeSchema.
CREATE SCHEMA IF NOT EXISTS raw;

CREATE TABLE raw.listen_events (
    artist           text NOT NULL,
    song             text NOT NULL,
    duration         double precision NOT NULL,
    ts               timestamptz NOT NULL,
    session_id       bigint NOT NULL,
    auth             text NOT NULL,
    level            text NOT NULL,
    item_in_session  integer NOT NULL,
    city             text NOT NULL,
    zip              text NOT NULL,
    state            text NOT NULL,
    user_agent       text NOT NULL,
    lon              double precision NOT NULL,
    lat              double precision NOT NULL,
    user_id          bigint NOT NULL,
    last_name        text NOT NULL,
    first_name       text NOT NULL,
    gender           text NOT NULL,
    registration     timestamptz NOT NULL,
    tag              text,
    kafka_topic      text NOT NULL,
    kafka_partition  integer NOT NULL,
    kafka_offset     bigint NOT NULL,
    kafka_timestamp  timestamptz NOT NULL,
    landing_batch_id text NOT NULL
);
CREATE INDEX listen_events_ts ON raw.listen_events (ts);

CREATE TABLE raw.page_view_events (
    ts               timestamptz NOT NULL,
    session_id       bigint NOT NULL,
    page             text NOT NULL,
    auth             text NOT NULL,
    method           text NOT NULL,
    status           integer NOT NULL,
    level            text NOT NULL,
    item_in_session  integer NOT NULL,
    city             text NOT NULL,
    zip              text NOT NULL,
    state            text NOT NULL,
    user_agent       text NOT NULL,
    lon              double precision NOT NULL,
    lat              double precision NOT NULL,
    user_id          bigint,
    last_name        text,
    first_name       text,
    gender           text,
    registration     timestamptz,
    tag              text,
    artist           text,
    song             text,
    duration         double precision,
    kafka_topic      text NOT NULL,
    kafka_partition  integer NOT NULL,
    kafka_offset     bigint NOT NULL,
    kafka_timestamp  timestamptz NOT NULL,
    landing_batch_id text NOT NULL
);
CREATE INDEX page_view_events_ts ON raw.page_view_events (ts);

CREATE TABLE raw.auth_events (
    ts               timestamptz NOT NULL,
    session_id       bigint NOT NULL,
    level            text NOT NULL,
    item_in_session  integer NOT NULL,
    city             text NOT NULL,
    zip              text NOT NULL,
    state            text NOT NULL,
    user_agent       text NOT NULL,
    lon              double precision NOT NULL,
    lat              double precision NOT NULL,
    user_id          bigint,
    last_name        text,
    first_name       text,
    gender           text,
    registration     timestamptz,
    tag              text,
    success          boolean NOT NULL,
    kafka_topic      text NOT NULL,
    kafka_partition  integer NOT NULL,
    kafka_offset     bigint NOT NULL,
    kafka_timestamp  timestamptz NOT NULL,
    landing_batch_id text NOT NULL
);
CREATE INDEX auth_events_ts ON raw.auth_events (ts);

CREATE TABLE raw.status_change_events (
    ts               timestamptz NOT NULL,
    session_id       bigint NOT NULL,
    auth             text NOT NULL,
    level            text NOT NULL,
    item_in_session  integer NOT NULL,
    city             text NOT NULL,
    zip              text NOT NULL,
    state            text NOT NULL,
    user_agent       text NOT NULL,
    lon              double precision NOT NULL,
    lat              double precision NOT NULL,
    user_id          bigint,
    last_name        text,
    first_name       text,
    gender           text,
    registration     timestamptz,
    tag              text,
    kafka_topic      text NOT NULL,
    kafka_partition  integer NOT NULL,
    kafka_offset     bigint NOT NULL,
    kafka_timestamp  timestamptz NOT NULL,
    landing_batch_id text NOT NULL
);
CREATE INDEX status_change_events_ts ON raw.status_change_events (ts);

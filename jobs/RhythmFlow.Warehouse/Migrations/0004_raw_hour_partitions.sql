-- The raw tables become partitioned by event hour (range on ts), so the hourly transform replaces an hour by
-- swapping one partition (a table it created and filled with one COPY in the same transaction) instead of deleting
-- and re-inserting rows. The parents keep their names and columns (dbt sources and the GX raw suites read them); the
-- hour partitions live in schema raw_hours, named <topic>_<yyyymmddhh>.
--
-- Each existing table becomes its topic's DEFAULT partition: rows loaded before this migration stay readable there,
-- as do rows that tools insert directly; the transform deletes an hour's rows from it when it rebuilds that hour.
-- Moving the table (not copying it) keeps views built on it working. Partition pruning on ts now selects hours, so
-- the parents carry no ts index; the default partitions keep theirs for the transform's delete.
CREATE SCHEMA raw_hours;

ALTER TABLE raw.listen_events SET SCHEMA raw_hours;
ALTER TABLE raw_hours.listen_events RENAME TO listen_events_default;
CREATE TABLE raw.listen_events (LIKE raw_hours.listen_events_default) PARTITION BY RANGE (ts);
ALTER TABLE raw.listen_events ATTACH PARTITION raw_hours.listen_events_default DEFAULT;

ALTER TABLE raw.page_view_events SET SCHEMA raw_hours;
ALTER TABLE raw_hours.page_view_events RENAME TO page_view_events_default;
CREATE TABLE raw.page_view_events (LIKE raw_hours.page_view_events_default) PARTITION BY RANGE (ts);
ALTER TABLE raw.page_view_events ATTACH PARTITION raw_hours.page_view_events_default DEFAULT;

ALTER TABLE raw.auth_events SET SCHEMA raw_hours;
ALTER TABLE raw_hours.auth_events RENAME TO auth_events_default;
CREATE TABLE raw.auth_events (LIKE raw_hours.auth_events_default) PARTITION BY RANGE (ts);
ALTER TABLE raw.auth_events ATTACH PARTITION raw_hours.auth_events_default DEFAULT;

ALTER TABLE raw.status_change_events SET SCHEMA raw_hours;
ALTER TABLE raw_hours.status_change_events RENAME TO status_change_events_default;
CREATE TABLE raw.status_change_events (LIKE raw_hours.status_change_events_default) PARTITION BY RANGE (ts);
ALTER TABLE raw.status_change_events ATTACH PARTITION raw_hours.status_change_events_default DEFAULT;

-- The lake commit log sequence an hour was last built at: records after it that list files of the hour are late data.
ALTER TABLE rhythmflow.hour_builds ADD COLUMN log_sequence bigint NOT NULL DEFAULT 0;

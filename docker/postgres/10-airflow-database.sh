#!/bin/sh
# Airflow's metadata lives next to the warehouse in the same server, in its own database.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -c 'CREATE DATABASE airflow'

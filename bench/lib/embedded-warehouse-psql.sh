# Sourced by the bench scripts after `rhythmflow warehouse start` in work dir $1: points libpq's environment at that
# embedded warehouse (address and password from its instance.json) and sets $psql to PostgreSQL 15's client.
warehouse_instance="$1/warehouse/instance.json"
instance_field() { node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1]))[process.argv[2]])' "$warehouse_instance" "$1"; }
export PGHOST=127.0.0.1 PGUSER=rhythmflow PGDATABASE=rhythmflow
PGPORT="$(instance_field Port)"
PGPASSWORD="$(instance_field Password)"
export PGPORT PGPASSWORD
psql="/usr/lib/postgresql/15/bin/psql"
[ -x "$psql" ] || psql=psql

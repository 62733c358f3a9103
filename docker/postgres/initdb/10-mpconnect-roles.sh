#!/bin/sh
# Run by the postgres image on the first start of an empty data directory only: the login roles
# of the api and the worker (docs/security.md). The worker's migrations (V11__roles.sql) grant
# them their privileges. For a data directory made before, run the same statements by hand.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v api_password="$DATABASE_API_PASSWORD" -v worker_password="$DATABASE_WORKER_PASSWORD" <<'SQL'
CREATE ROLE mpconnect_api LOGIN PASSWORD :'api_password';
CREATE ROLE mpconnect_worker LOGIN PASSWORD :'worker_password';
SQL

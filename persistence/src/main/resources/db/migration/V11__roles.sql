-- Least privilege (docs/security.md, "The deployment, closed by default"). Whoever runs the
-- migrations (DATABASE_MIGRATION_USER, default DATABASE_USER) owns the schema; the api works as
-- ${apiRole} and the worker as ${workerRole} (Flyway placeholders, DATABASE_API_ROLE and
-- DATABASE_WORKER_ROLE, default mpconnect_api and mpconnect_worker). A role that is missing is
-- created NOLOGIN: the operator gives it LOGIN and a password (ALTER ROLE ... LOGIN PASSWORD ...).
--
-- Every later migration that creates a table or column the api needs grants it there, by name.
-- The worker's privileges on later tables and sequences follow from the default privileges below.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${apiRole}') THEN
    CREATE ROLE ${apiRole} NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- created meanwhile by the migration of another database of the same server
END $$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${workerRole}') THEN
    CREATE ROLE ${workerRole} NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END $$;

-- Nobody but the owner creates objects in the schema (PostgreSQL 15+ already says so; 14 not).
REVOKE CREATE ON SCHEMA ${flyway:defaultSchema} FROM PUBLIC;
GRANT USAGE ON SCHEMA ${flyway:defaultSchema} TO ${apiRole}, ${workerRole};

-- The worker: rows of every application table, never their definition (no DDL, no TRUNCATE,
-- no REFERENCES or TRIGGER), and not the migration history.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${flyway:defaultSchema}
  TO ${workerRole};
REVOKE ALL ON ${flyway:defaultSchema}.${flyway:table} FROM ${workerRole};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${flyway:defaultSchema} TO ${workerRole};
ALTER DEFAULT PRIVILEGES IN SCHEMA ${flyway:defaultSchema}
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${workerRole};
ALTER DEFAULT PRIVILEGES IN SCHEMA ${flyway:defaultSchema}
  GRANT USAGE, SELECT ON SEQUENCES TO ${workerRole};

-- ANALYZE needs the table's owner (PostgreSQL < 17). The hourly aggregation refreshes the
-- statistics of metering_records through this function, which runs as the owner and can do
-- nothing else.
CREATE FUNCTION refresh_metering_statistics() RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  ANALYZE ${flyway:defaultSchema}.metering_records;
END;
$$;
REVOKE ALL ON FUNCTION refresh_metering_statistics() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refresh_metering_statistics() TO ${workerRole};

-- The api: what its own SQL and the repositories it calls read and write (api/src/main: the
-- console's ConsoleData, the support view, usage intake and the metering admin view), nothing
-- else. It never updates or deletes; it does not see the outbox (e-mail addresses), the audit
-- log, parked events or the migration history.
GRANT SELECT ON users, organizations, marketplace_links, marketplace_licenses,
  marketplace_entitlements, metering_records, metering_mismatches, metering_runs
  TO ${apiRole};
GRANT SELECT (issuer, subject, user_id) ON user_identities TO ${apiRole};
GRANT SELECT (organization_id, user_id, role) ON memberships TO ${apiRole};
GRANT SELECT (product_code, aws_account_id, customer_identifier) ON marketplace_customers
  TO ${apiRole};
-- Usage intake appends (INSERT ... RETURNING * reads the row back) and queues it for metering.
GRANT SELECT, INSERT ON usage_records, unmetered_usage TO ${apiRole};
GRANT USAGE ON SEQUENCE usage_records_id_seq TO ${apiRole};

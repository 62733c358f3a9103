/**
 * The PostgreSQL schema (Flyway migrations in {@code db/migration}) and its repositories.
 *
 * <p>Repositories take the process's {@link org.jdbi.v3.core.Jdbi} and are cheap to create. Called
 * inside {@code jdbi.inTransaction(...)} on the same thread they join that transaction (Jdbi hands
 * nested calls the thread's open handle), which is how one activity composes several of them into
 * one atomic change.
 */
package io.mpconnect.persistence;

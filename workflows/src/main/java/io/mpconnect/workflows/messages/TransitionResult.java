package io.mpconnect.workflows.messages;

/**
 * What a subscription transition did in PostgreSQL.
 *
 * @param plan the linked organization's plan afterwards (STARTER or STANDARD), null when no
 *     organization is linked
 * @param linkChanged true when the link's stored status changed
 * @param planChanged true when the organization's plan or billing provider changed
 */
public record TransitionResult(String plan, boolean linkChanged, boolean planChanged) {}

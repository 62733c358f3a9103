package io.mpconnect.workflows.messages;

/**
 * Link the customer to an organization in one transaction. Idempotent per onboarding: a retry
 * finds the link (and the organization it created) of the first attempt.
 *
 * @param activate true to move the organization to the paid plan billed through AWS in the same
 *     transaction; false leaves activation to the subscription's subscribe-success
 */
public record ConnectCommand(
    String onboardingId,
    String userId,
    ResolvedCustomer customer,
    ConnectChoice choice,
    boolean activate) {}

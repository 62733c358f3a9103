package io.mpconnect.workflows.messages;

/**
 * What the subscription workflow tells a waiting onboarding: the subscription's status and the
 * plan the linked organization is on now (STARTER or STANDARD, null when unknown).
 */
public record SubscriptionUpdate(SubscriptionStatus status, String plan) {}

package io.mpconnect.workflows.activities;

/**
 * Names of the non-retryable activity failures. Activities throw
 * {@code ApplicationFailure.newNonRetryableFailure(message, TYPE)}; workflows map the type to an
 * outcome. Anything else an activity throws is retried under the activity's retry policy.
 */
public final class FailureTypes {
  /** AWS rejected the registration token (InvalidTokenException). */
  public static final String INVALID_TOKEN = "InvalidToken";
  /** The registration token expired (ExpiredTokenException): the customer must click again. */
  public static final String EXPIRED_TOKEN = "ExpiredToken";
  /** The token resolved to a product code that is not this vendor's. */
  public static final String WRONG_PRODUCT = "WrongProduct";
  /** AWS says the Metering API is disabled for the account (DisabledApiException). */
  public static final String AWS_API_DISABLED = "AwsApiDisabled";
  /** The AWS request itself was invalid (a bug on our side, not worth retrying). */
  public static final String AWS_BAD_REQUEST = "AwsBadRequest";
  /** An input that can never succeed, such as a user or organization that does not exist. */
  public static final String INVALID_INPUT = "InvalidInput";

  private FailureTypes() {}
}

package io.mpconnect.activities.aws;

import io.mpconnect.config.Env;
import java.net.URI;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * The AWS SDK's own settings, read through {@link Env} so an in-process launcher can hand them in
 * (the SDK alone reads only the real process environment). Shared by every AWS client we build.
 */
public final class AwsEnvironment {
  public static Region region(Env env) {
    return Region.of(env.get("AWS_REGION", "us-east-1"));
  }

  /** AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY when both are given, else the SDK's default chain. */
  public static AwsCredentialsProvider credentials(Env env) {
    String keyId = env.get("AWS_ACCESS_KEY_ID");
    String secret = env.get("AWS_SECRET_ACCESS_KEY");
    if (keyId != null && secret != null) {
      return StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret));
    }
    return DefaultCredentialsProvider.builder().build();
  }

  /** An endpoint override under the SDK's own variable name, e.g. AWS_ENDPOINT_URL_SQS. */
  public static Optional<URI> endpoint(Env env, String variable) {
    return Optional.ofNullable(env.get(variable)).map(URI::create);
  }

  private AwsEnvironment() {}
}

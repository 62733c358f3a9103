package io.mpconnect.activities.aws;

import io.mpconnect.config.Env;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.marketplacemetering.MarketplaceMeteringClient;

/** Builds the AWS Marketplace Metering client from the environment. */
public final class MeteringClients {
  /** The AWS SDK's own name for the endpoint override; it is not ours to rename. */
  public static final String ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_MARKETPLACE_METERING";

  /**
   * The SDK reads AWS_ENDPOINT_URL_MARKETPLACE_METERING from the process environment by itself;
   * it is applied here too so that an in-process launcher can hand it in through {@link Env}.
   * The SDK's own retries are off: Temporal's activity retry policy is the one owner of retries,
   * so attempts are bounded and visible in the workflow history.
   */
  public static MarketplaceMeteringClient create(Env env) {
    var builder =
        MarketplaceMeteringClient.builder()
            .region(Region.of(env.get("AWS_REGION", "us-east-1")))
            .credentialsProvider(credentials(env))
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(5))
                    .socketTimeout(Duration.ofSeconds(20)))
            .overrideConfiguration(
                c ->
                    c.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallTimeout(Duration.ofSeconds(25)));
    String endpoint = env.get(ENDPOINT_VARIABLE);
    if (endpoint != null) {
      builder.endpointOverride(URI.create(endpoint));
    }
    return builder.build();
  }

  private static AwsCredentialsProvider credentials(Env env) {
    String keyId = env.get("AWS_ACCESS_KEY_ID");
    String secret = env.get("AWS_SECRET_ACCESS_KEY");
    if (keyId != null && secret != null) {
      return StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret));
    }
    return DefaultCredentialsProvider.builder().build();
  }

  private MeteringClients() {}
}

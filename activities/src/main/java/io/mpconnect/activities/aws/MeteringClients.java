package io.mpconnect.activities.aws;

import io.mpconnect.config.Env;
import java.time.Duration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.marketplacemetering.MarketplaceMeteringClient;

/** Builds the AWS Marketplace Metering client from the environment. */
public final class MeteringClients {
  /** The AWS SDK's own name for the endpoint override; it is not ours to rename. */
  public static final String ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_MARKETPLACE_METERING";

  /**
   * The SDK reads AWS_ENDPOINT_URL_MARKETPLACE_METERING from the process environment by itself;
   * it is applied here too so that an in-process launcher can hand it in through {@link Env}.
   * The SDK's own retries are off: Temporal's activity retry policy is the one owner of retries,
   * so attempts are bounded and visible in the workflow history. {@link MeteringWireExtensions}
   * adds the fields of AWS's current model that this SDK module does not know (LicenseArn); it
   * changes only calls that ask for it.
   */
  public static MarketplaceMeteringClient create(Env env) {
    var builder =
        MarketplaceMeteringClient.builder()
            .region(AwsEnvironment.region(env))
            .credentialsProvider(AwsEnvironment.credentials(env))
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(5))
                    .socketTimeout(Duration.ofSeconds(20)))
            .overrideConfiguration(
                c ->
                    c.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallTimeout(Duration.ofSeconds(25))
                        .addExecutionInterceptor(new MeteringWireExtensions()));
    AwsEnvironment.endpoint(env, ENDPOINT_VARIABLE).ifPresent(builder::endpointOverride);
    return builder.build();
  }

  private MeteringClients() {}
}

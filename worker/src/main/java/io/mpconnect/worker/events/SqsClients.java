package io.mpconnect.worker.events;

import io.mpconnect.activities.aws.AwsEnvironment;
import io.mpconnect.config.Env;
import java.time.Duration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Builds the SQS client of the lifecycle event queue from the environment. */
public final class SqsClients {
  /** The AWS SDK's own name for the endpoint override; it is not ours to rename. */
  public static final String ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_SQS";

  /**
   * The SDK reads AWS_ENDPOINT_URL_SQS from the process environment by itself; it is applied here
   * too so an in-process launcher can hand it in through {@link Env}. The socket timeout is longer
   * than the longest long poll (20 s). The SDK's default retries stay on: a receive or delete that
   * fails is simply tried again by the poll loop or the queue's redelivery.
   */
  public static SqsClient create(Env env) {
    var builder =
        SqsClient.builder()
            .region(AwsEnvironment.region(env))
            .credentialsProvider(AwsEnvironment.credentials(env))
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(5))
                    .socketTimeout(Duration.ofSeconds(30)))
            .overrideConfiguration(c -> c.apiCallAttemptTimeout(Duration.ofSeconds(30)));
    AwsEnvironment.endpoint(env, ENDPOINT_VARIABLE).ifPresent(builder::endpointOverride);
    return builder.build();
  }

  private SqsClients() {}
}

package io.mpconnect.config;

import java.io.IOException;
import java.net.URI;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.messagemanager.sns.SnsMessageManager;
import software.amazon.awssdk.regions.Region;

/**
 * Verifies that an SNS message was signed by AWS SNS, with the AWS SDK's {@code
 * sns-message-manager}: the SigningCertURL must be {@code https://sns.<region>.amazonaws.com/...}
 * (the region of the allowed topics), the certificate must be SNS's (its name) and in its validity
 * period, and the signature (SignatureVersion 1, SHA1withRSA, or 2, SHA256withRSA) must match the
 * canonical string of the message's fields. Certificates are cached per URL by the SDK.
 *
 * <p>Thread-safe. Which topics are allowed is the caller's check (the lifecycle event parser).
 */
public final class SnsSignatures implements AutoCloseable {
  /**
   * The signing certificate could not be fetched (network, SNS away): not the message's fault, so
   * it must not be refused for it; try again later.
   */
  public static final class CertificateUnavailable extends RuntimeException {
    CertificateUnavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final SnsMessageManager manager;

  private SnsSignatures(SnsMessageManager manager) {
    this.manager = manager;
  }

  /** For the allowed topics' region, fetching certificates as the settings say. */
  public static SnsSignatures create(EventTrustSettings settings) {
    SdkHttpClient http = UrlConnectionHttpClient.create();
    if (settings.snsCertificateEndpoint() != null) {
      http = new RedirectedClient(http, settings.snsCertificateEndpoint());
    }
    return new SnsSignatures(
        SnsMessageManager.builder().region(Region.of(settings.snsRegion())).httpClient(http).build());
  }

  /**
   * @param envelope the SNS message as JSON, exactly as received
   * @return null when SNS signed it, else why it is not to be believed
   * @throws CertificateUnavailable when the certificate could not be fetched now
   */
  public String problem(String envelope) {
    try {
      manager.parseMessage(envelope);
      return null;
    } catch (RuntimeException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof IOException) {
          throw new CertificateUnavailable(
              "the SNS signing certificate could not be fetched: " + t, e);
        }
      }
      return "The SNS signature does not verify: " + e.getMessage();
    }
  }

  @Override
  public void close() {
    manager.close();
  }

  /**
   * Fetches from another endpoint than the URL names (MARKETPLACE_SNS_CERTIFICATE_ENDPOINT, tests
   * only): the SDK still checks that the URL names AWS's host before anything is fetched.
   */
  private record RedirectedClient(SdkHttpClient delegate, URI endpoint) implements SdkHttpClient {
    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
      SdkHttpRequest redirected = request.httpRequest().toBuilder()
          .protocol(endpoint.getScheme())
          .host(endpoint.getHost())
          .port(endpoint.getPort())
          .build();
      HttpExecuteRequest.Builder copy = HttpExecuteRequest.builder().request(redirected);
      request.contentStreamProvider().ifPresent(copy::contentStreamProvider);
      return delegate.prepareRequest(copy.build());
    }

    @Override
    public String clientName() {
      return delegate.clientName();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}

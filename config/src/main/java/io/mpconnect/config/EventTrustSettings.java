package io.mpconnect.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which AWS Marketplace lifecycle messages are taken as AWS's own, read by the worker (the queue)
 * and the api (the admin route) alike:
 *
 * <ul>
 *   <li>MARKETPLACE_SNS_TOPIC_ARNS: the SNS topics whose signed notifications are accepted. Default:
 *       AWS's subscription and entitlement topics of MARKETPLACE_PRODUCT_CODE ({@code
 *       arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-<code>} and {@code
 *       ...:aws-mp-entitlement-notification-<code>}). The topics' region is the one whose SNS
 *       signing certificates are trusted ({@code https://sns.<region>.amazonaws.com/...}).
 *   <li>MARKETPLACE_ACCEPT_UNSIGNED_EVENTS (default false): accept messages that carry no AWS
 *       signature (a bare legacy message, an SNS envelope without a signature, an event posted to
 *       the admin route). The developer mode sets it; a badly signed message is refused anyway.
 *   <li>MARKETPLACE_SNS_CERTIFICATE_ENDPOINT (tests only; unset in production): fetch signing
 *       certificates from this endpoint instead of the host the SigningCertURL names (which must
 *       still be AWS's), so tests can sign with a local certificate.
 * </ul>
 */
public record EventTrustSettings(
    Set<String> snsTopicArns, boolean acceptUnsigned, URI snsCertificateEndpoint) {
  /** The AWS account that owns AWS Marketplace's SNS topics (AWS's seller guide). */
  public static final String AWS_MARKETPLACE_TOPIC_OWNER = "287250355862";

  private static final Pattern TOPIC_ARN =
      Pattern.compile("arn:aws[a-z-]*:sns:([a-z0-9-]+):\\d{12}:[A-Za-z0-9_-]{1,256}");

  public EventTrustSettings {
    if (snsTopicArns == null || snsTopicArns.isEmpty()) {
      throw new Env.ConfigException("MARKETPLACE_SNS_TOPIC_ARNS must name at least one topic");
    }
    snsTopicArns = Set.copyOf(snsTopicArns);
    String region = null;
    for (String arn : snsTopicArns) {
      Matcher m = TOPIC_ARN.matcher(arn);
      if (!m.matches()) {
        throw new Env.ConfigException(
            "MARKETPLACE_SNS_TOPIC_ARNS must list SNS topic ARNs (arn:aws:sns:<region>:<account>:"
                + "<name>), got \"" + arn + "\"");
      }
      if (region != null && !region.equals(m.group(1))) {
        throw new Env.ConfigException(
            "MARKETPLACE_SNS_TOPIC_ARNS must all be in one region (its SNS signs them), got "
                + region + " and " + m.group(1));
      }
      region = m.group(1);
    }
    if (snsCertificateEndpoint != null
        && (snsCertificateEndpoint.getScheme() == null || snsCertificateEndpoint.getHost() == null)) {
      throw new Env.ConfigException(
          "MARKETPLACE_SNS_CERTIFICATE_ENDPOINT must be a URL such as http://127.0.0.1:8443, got \""
              + snsCertificateEndpoint + "\"");
    }
  }

  public static EventTrustSettings from(Env env, String productCode) {
    String endpoint = env.get("MARKETPLACE_SNS_CERTIFICATE_ENDPOINT");
    try {
      return new EventTrustSettings(
          new LinkedHashSet<>(env.getList("MARKETPLACE_SNS_TOPIC_ARNS", awsTopics(productCode))),
          env.getBoolean("MARKETPLACE_ACCEPT_UNSIGNED_EVENTS", false),
          endpoint == null ? null : URI.create(endpoint));
    } catch (IllegalArgumentException e) {
      throw new Env.ConfigException(
          "MARKETPLACE_SNS_CERTIFICATE_ENDPOINT is not a URL: " + e.getMessage());
    }
  }

  /** AWS Marketplace's subscription and entitlement topics of a product. */
  public static List<String> awsTopics(String productCode) {
    if (productCode == null || productCode.isBlank()) {
      throw new Env.ConfigException("MARKETPLACE_PRODUCT_CODE must be set to know AWS's SNS topics");
    }
    String prefix = "arn:aws:sns:us-east-1:" + AWS_MARKETPLACE_TOPIC_OWNER + ":aws-mp-";
    return List.of(prefix + "subscription-notification-" + productCode,
        prefix + "entitlement-notification-" + productCode);
  }

  /** What an operator must hear at start-up: settings that lower the bar. */
  public List<String> warnings() {
    List<String> warnings = new ArrayList<>();
    if (acceptUnsigned) {
      warnings.add("MARKETPLACE_ACCEPT_UNSIGNED_EVENTS is on: lifecycle messages without an AWS"
          + " signature are applied, so whoever can send them can change a plan (development only)");
    }
    if (snsCertificateEndpoint != null) {
      warnings.add("MARKETPLACE_SNS_CERTIFICATE_ENDPOINT is set: SNS signing certificates are"
          + " fetched from " + snsCertificateEndpoint + ", not from AWS (tests only)");
    }
    return warnings;
  }

  /** The region of the allowed topics: its SNS signs their notifications. */
  public String snsRegion() {
    Matcher m = TOPIC_ARN.matcher(snsTopicArns.iterator().next());
    if (!m.matches()) {
      throw new IllegalStateException("checked in the constructor");
    }
    return m.group(1);
  }
}

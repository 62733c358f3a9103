package io.mpconnect.standins.sns;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Date;
import java.util.Locale;
import java.util.UUID;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * AWS SNS as far as signatures go, for tests: a fresh RSA key with a self-signed certificate in
 * SNS's name ({@value #CERTIFICATE_NAME}), served over local HTTP, and notifications signed with it
 * exactly as SNS signs them (SignatureVersion 1 SHA1withRSA or 2 SHA256withRSA over AWS's canonical
 * string). Their SigningCertURL names AWS's host ({@code https://sns.us-east-1.amazonaws.com/...});
 * the verifier fetches it from {@link #certificateEndpoint()} when told to
 * (MARKETPLACE_SNS_CERTIFICATE_ENDPOINT).
 */
public final class SnsStandIn implements AutoCloseable {
  /** The name AWS SNS's signing certificates carry (the verifier checks it). */
  public static final String CERTIFICATE_NAME = "sns.amazonaws.com";
  public static final String REGION = "us-east-1";

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KeyPair keys;
  private final PrivateKey forgerKey;
  private final String certificatePath;
  private final HttpServer server;

  private SnsStandIn(KeyPair keys, PrivateKey forgerKey, String certificatePem) throws IOException {
    this.keys = keys;
    this.forgerKey = forgerKey;
    this.certificatePath = "/SimpleNotificationService-" + UUID.randomUUID().toString()
        .replace("-", "") + ".pem";
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    byte[] pem = certificatePem.getBytes(StandardCharsets.US_ASCII);
    server.createContext("/", exchange -> {
      try (exchange) {
        boolean ours = exchange.getRequestURI().getPath().equals(certificatePath);
        exchange.sendResponseHeaders(ours ? 200 : 404, ours ? pem.length : -1);
        if (ours) {
          exchange.getResponseBody().write(pem);
        }
      }
    });
    server.start();
  }

  public static SnsStandIn start() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair keys = generator.generateKeyPair();
      return new SnsStandIn(keys, generator.generateKeyPair().getPrivate(), certificate(keys));
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("could not make the SNS stand-in's certificate", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where the certificate is served (MARKETPLACE_SNS_CERTIFICATE_ENDPOINT). */
  public URI certificateEndpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The SigningCertURL the notifications name: AWS's host, this stand-in's certificate. */
  public String signingCertUrl() {
    return "https://sns." + REGION + ".amazonaws.com" + certificatePath;
  }

  /** A notification of the topic carrying the message, signed as SNS signs (version 1). */
  public String notification(String topicArn, String message) {
    return notification(topicArn, message, UUID.randomUUID().toString(), Instant.now(), 1);
  }

  public String notification(
      String topicArn, String message, String messageId, Instant timestamp, int signatureVersion) {
    return envelope(topicArn, message, messageId, timestamp, signatureVersion, signingCertUrl(),
        keys.getPrivate());
  }

  /**
   * What someone without SNS's key can make: the same envelope naming the same certificate, signed
   * with another key.
   */
  public String forged(String topicArn, String message) {
    return envelope(topicArn, message, UUID.randomUUID().toString(), Instant.now(), 1,
        signingCertUrl(), forgerKey);
  }

  /** Signed with this stand-in's key, naming a certificate on another host than AWS's. */
  public String signedWithCertificateAt(String certificateUrl, String topicArn, String message) {
    return envelope(topicArn, message, UUID.randomUUID().toString(), Instant.now(), 1,
        certificateUrl, keys.getPrivate());
  }

  private static String envelope(String topicArn, String message, String messageId,
      Instant timestamp, int version, String certificateUrl, PrivateKey key) {
    String time = TIMESTAMP.format(timestamp);
    // AWS's canonical string of a notification (no Subject here): name and value lines, sorted.
    String canonical = "Message\n" + message + "\nMessageId\n" + messageId + "\nTimestamp\n" + time
        + "\nTopicArn\n" + topicArn + "\nType\nNotification\n";
    ObjectNode body = JSON.createObjectNode()
        .put("Type", "Notification")
        .put("MessageId", messageId)
        .put("TopicArn", topicArn)
        .put("Message", message)
        .put("Timestamp", time)
        .put("SignatureVersion", Integer.toString(version))
        .put("Signature", sign(canonical, version, key))
        .put("SigningCertURL", certificateUrl)
        .put("UnsubscribeURL", "https://sns." + REGION + ".amazonaws.com/?Action=Unsubscribe"
            + "&SubscriptionArn=" + topicArn + ":" + UUID.randomUUID());
    return body.toString();
  }

  private static String sign(String canonical, int version, PrivateKey key) {
    try {
      Signature signature = Signature.getInstance(switch (version) {
        case 1 -> "SHA1withRSA";
        case 2 -> "SHA256withRSA";
        default -> throw new IllegalArgumentException("SNS signs with version 1 or 2");
      });
      signature.initSign(key);
      signature.update(canonical.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String certificate(KeyPair keys)
      throws OperatorCreationException, IOException {
    Instant now = Instant.now();
    X500Name name = new X500Name("CN=" + CERTIFICATE_NAME);
    X509CertificateHolder holder = new JcaX509v3CertificateBuilder(name,
        BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(Duration.ofDays(1))),
        Date.from(now.plus(Duration.ofDays(30))), name, keys.getPublic())
        .addExtension(Extension.subjectAlternativeName, false,
            new GeneralNames(new GeneralName(GeneralName.dNSName, CERTIFICATE_NAME)))
        .build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate()));
    return "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(holder.getEncoded())
        + "\n-----END CERTIFICATE-----\n";
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

package io.mpconnect.e2e.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.config.Env;
import io.mpconnect.worker.events.SqsClients;
import io.mpconnect.workflows.subscription.LifecycleEventParser;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Accepted;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Context;
import io.mpconnect.workflows.subscription.LifecycleEventParser.Rejected;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The lifecycle-event parser (what the SQS queue carries) against malformed, oversized, wrongly
 * encoded and hostile bodies: every one gets an answer with a reason and a readable detail, never
 * an exception, at once. Then the same kind of bodies through the real queue to the real worker:
 * each is parked once with its reason (support sees it), deleted from the queue (nothing loops),
 * and starts no workflow.
 */
@ExtendWith(FuzzEnvironment.Resolver.class)
class LifecycleEventFuzzTest {
  static final String PRODUCT = FuzzEnvironment.PRODUCT_CODE;
  static final LifecycleEventParser parser = new LifecycleEventParser(Set.of(PRODUCT));
  static final String LEGACY = "{\"action\":\"subscribe-success\",\"customer-identifier\":"
      + "\"cust-fuzz-1\",\"product-code\":\"" + PRODUCT + "\",\"isFreeTrialTermPresent\":\"true\"}";
  static final String SNS = "{\"Type\":\"Notification\",\"MessageId\":\"m-1\",\"TopicArn\":"
      + "\"arn:aws:sns:us-east-1:123456789012:aws-mp-subscription-notification\",\"Message\":"
      + quote(LEGACY) + ",\"Timestamp\":\"2026-11-26T04:00:00.000Z\"}";
  static final String EVENTBRIDGE = "{\"version\":\"0\",\"id\":\"e-1\",\"detail-type\":"
      + "\"AWS Marketplace Subscription\",\"source\":\"aws.marketplace\",\"time\":"
      + "\"2026-11-26T04:00:00Z\",\"detail\":" + LEGACY + "}";

  /** Bodies no product code or action of ours can be read from: each must be rejected. */
  static List<String> hostileBodies() {
    List<String> bodies = new ArrayList<>(List.of(
        "", " ", "null", "[]", "42", "\"a string\"", "{", "}", "{}", "{\"action\":null}",
        "{\"action\":[],\"product-code\":{}}", "{\"action\":\"subscribe-success\"}",
        "{\"action\":\"SUBSCRIBE-SUCCESS \",\"customer-identifier\":\"c\",\"product-code\":\"x\"}",
        "{\"action\":\"subscribe-success\",\"customer-identifier\":\"c\",\"product-code\":"
            + "\"another-vendors-product\"}",
        "{\"action\":\"subscribe-success\",\"customer-identifier\":\"c\",\"product-code\":"
            + "\"../../etc/passwd\"}",
        "{\"action\":\"subscribe-success\",\"customer-identifier\":\"c\",\"product-code\":12}",
        "{\"action\":\"drop-table\",\"customer-identifier\":\"c\",\"product-code\":\"" + PRODUCT
            + "\"}",
        // entitlement-updated is applied (contracts), but not without a customer.
        "{\"action\":\"entitlement-updated\",\"product-code\":\"" + PRODUCT + "\"}",
        LEGACY.replace("{\"action\"", "{\"action\":\"unsubscribe-success\",\"action\""),
        LEGACY + " " + LEGACY,
        LEGACY.substring(0, LEGACY.length() / 2),
        "{\"Type\":\"SubscriptionConfirmation\",\"SubscribeURL\":\"http://127.0.0.1/x\"}",
        "{\"Type\":\"Notification\",\"Message\":\"not json\"}",
        "{\"Type\":\"Notification\",\"Message\":{\"action\":\"subscribe-success\"}}",
        "{\"Type\":\"Notification\",\"Message\":" + quote(SNS) + "}",
        "{\"Type\":[1,2]}",
        "{\"detail-type\":\"Purchase Agreement Ended - Manufacturer\",\"detail\":\"oops\"}",
        "{\"detail-type\":\"Something New\",\"source\":\"aws.marketplace\",\"detail\":{}}",
        "{\"action\":\"subscribe-success\",\"customer-identifier\":\"" + "c".repeat(100_000)
            + "\",\"product-code\":\"" + PRODUCT + "\"}",
        "{\"action\":\"subscribe-success\",\"customer-identifier\":\"a\\nb\\u0000c\","
            + "\"product-code\":\"" + PRODUCT + "\"}",
        "{\"action\":\"subscribe-success\",\"customer-identifier\":1e400,\"product-code\":\""
            + PRODUCT + "\"}",
        "[".repeat(100_000) + "]".repeat(100_000),
        "{\"a\":".repeat(20_000) + "1" + "}".repeat(20_000),
        "x".repeat(LifecycleEventParser.MAX_BODY_CHARS + 1)));
    return bodies;
  }

  /** Bodies SQS itself would refuse (not XML characters): the parser must still cope. */
  static List<String> unsendableBodies() {
    return List.of("\u0000", "{\"action\":\"\uD800\"}", "\uFEFF" + LEGACY.replace(PRODUCT, "p"),
        "{\"action\":\"subscribe-success\",\"product-code\":\"" + PRODUCT + "\u0007\"}");
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void everyHostileBodyIsRejectedWithAReasonAndAReadableDetail() {
    List<String> bodies = new ArrayList<>(hostileBodies());
    bodies.addAll(unsendableBodies());
    for (String body : bodies) {
      long started = System.nanoTime();
      LifecycleEventParser.Result result = parser.parse(body, context());
      long millis = (System.nanoTime() - started) / 1_000_000;
      String shown = body.length() > 80 ? body.substring(0, 80) + "..." : body;
      assertThat(result).as(shown).isInstanceOf(Rejected.class);
      Rejected rejected = (Rejected) result;
      assertThat(rejected.reason()).as(shown).isNotNull();
      assertThat(rejected.detail()).as(shown).isNotBlank().hasSizeLessThan(2_000);
      assertThat(millis).as("parse time of %s", shown).isLessThan(2_000);
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void mutatedValidMessagesNeverThrowAndAreEitherAcceptedForOurProductOrRejectedWithAReason() {
    long seed = Long.getLong("FUZZ_SEED", System.nanoTime());
    Random random = new Random(seed);
    List<String> valid = List.of(LEGACY, SNS, EVENTBRIDGE);
    int accepted = 0;
    int rejected = 0;
    for (String body : valid) {
      assertThat(parser.parse(body, context())).as("valid: %s", body).isInstanceOf(Accepted.class);
    }
    String symbols = "{}[]\":,\\ \u0000\uD800\uFEFFe-0123456789tnulfrs";
    for (int i = 0; i < 5_000; i++) {
      StringBuilder body = new StringBuilder(valid.get(random.nextInt(valid.size())));
      int mutations = 1 + random.nextInt(4);
      for (int m = 0; m < mutations && body.length() > 0; m++) {
        int at = random.nextInt(body.length());
        switch (random.nextInt(4)) {
          case 0 -> body.deleteCharAt(at);
          case 1 -> body.insert(at, symbols.charAt(random.nextInt(symbols.length())));
          case 2 -> body.setCharAt(at, symbols.charAt(random.nextInt(symbols.length())));
          default -> {
            int end = Math.min(body.length(), at + random.nextInt(20));
            body.insert(at, body.substring(at, end));
          }
        }
      }
      LifecycleEventParser.Result result;
      try {
        result = parser.parse(body.toString(), context());
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + ", case " + i + ": the parser threw on " + body, e);
      }
      if (result instanceof Accepted ok) {
        accepted++;
        assertThat(ok.event().productCode()).as("seed %d case %d", seed, i).isEqualTo(PRODUCT);
        assertThat(ok.event().action()).isNotNull();
        assertThat(ok.event().customerKey()).isNotBlank();
      } else {
        rejected++;
        assertThat(((Rejected) result).detail()).as("seed %d case %d", seed, i).isNotBlank();
      }
    }
    System.out.printf("lifecycle parser fuzz (seed %d): 5000 mutated messages, %d accepted,"
        + " %d rejected with a reason, 0 exceptions%n", seed, accepted, rejected);
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void hostileQueueMessagesAreParkedOnceDeletedAndStartNoWorkflow(FuzzEnvironment environment)
      throws InterruptedException {
    FuzzEnvironment env = environment;
    Map<String, String> aws = new HashMap<>();
    aws.put("AWS_ENDPOINT_URL_SQS", env.setting("AWS_ENDPOINT_URL_SQS"));
    aws.put("AWS_REGION", "us-east-1");
    aws.put("AWS_ACCESS_KEY_ID", "fuzz");
    aws.put("AWS_SECRET_ACCESS_KEY", "fuzz");
    String queue = env.setting("SQS_QUEUE_URL");
    long subscriptionsBefore = subscriptions(env);
    Map<String, String> sent = new HashMap<>();
    try (SqsClient sqs = SqsClients.create(new Env(aws))) {
      for (String body : hostileBodies()) {
        if (body.isEmpty() || body.length() > 256 * 1024 - 1) {
          continue; // SQS refuses empty and over-sized messages itself
        }
        sent.put(sqs.sendMessage(r -> r.queueUrl(queue).messageBody(body)).messageId(), body);
      }
      Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
      while (Instant.now().isBefore(deadline) && (inQueue(sqs, queue) > 0
          || parked(env, sent.keySet()) < sent.size())) {
        Thread.sleep(250);
      }
      Thread.sleep(2_000); // a looping message would come back and be parked twice
      assertThat(inQueue(sqs, queue)).as("messages still on the queue").isZero();
    }

    List<Map<String, Object>> rows = env.database.jdbi().withHandle(h -> h.createQuery(
            "select transport_message_id, reason, detail from parked_events"
                + " where transport_message_id in (<ids>)")
        .bindList("ids", List.copyOf(sent.keySet())).mapToMap().list());
    System.out.printf("lifecycle queue fuzz: %d hostile messages, %d parked, reasons %s%n",
        sent.size(), rows.size(), rows.stream().map(r -> r.get("reason")).distinct().sorted().toList());
    assertThat(rows).hasSize(sent.size());
    assertThat(rows).allSatisfy(row -> {
      assertThat((String) row.get("reason")).isNotBlank();
      assertThat((String) row.get("detail")).isNotBlank();
    });
    assertThat(subscriptions(env)).as("subscription workflows").isEqualTo(subscriptionsBefore);
  }

  private static long parked(FuzzEnvironment env, Set<String> ids) {
    return env.database.jdbi().withHandle(h -> h.createQuery(
            "select count(*) from parked_events where transport_message_id in (<ids>)")
        .bindList("ids", List.copyOf(ids)).mapTo(Long.class).one());
  }

  private static int inQueue(SqsClient sqs, String queue) {
    Map<QueueAttributeName, String> attributes = sqs.getQueueAttributes(r -> r.queueUrl(queue)
        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
    return attributes.values().stream().mapToInt(Integer::parseInt).sum();
  }

  private static long subscriptions(FuzzEnvironment env) {
    return env.client.listExecutions("WorkflowType = 'SubscriptionWorkflow'").count();
  }

  private static Context context() {
    return new Context("fuzz", "fuzz-message", Instant.parse("2026-11-26T04:00:00Z"));
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}

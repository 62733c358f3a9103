package io.mpconnect.devmode;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mpconnect.config.Env;
import io.mpconnect.standins.events.AgreementEvents;
import io.mpconnect.worker.events.SqsClients;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.SqsClient;

/** What the developer mode's AWS emulation puts on its in-process queue. */
class DevLifecycleQueueTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BUYER = "845735284135";
  private static final String LICENSE =
      "arn:aws:license-manager::" + DevMode.SELLER_ACCOUNT + ":license:l-0123456789abcdef";

  @TempDir Path home;

  @Test
  void aNewLicenseGetsTheTwoEventsOfOneAwsRequest_once() throws Exception {
    try (DevLifecycleQueue queue = DevLifecycleQueue.start(0,
            new AgreementEvents(DevMode.SELLER_ACCOUNT, DevMode.PRODUCT_ID, DevMode.PRODUCT_CODE),
            home, true);
        SqsClient sqs = SqsClients.create(new Env(Map.of(
            SqsClients.ENDPOINT_VARIABLE, queue.endpoint(),
            "AWS_ACCESS_KEY_ID", "test",
            "AWS_SECRET_ACCESS_KEY", "test")))) {
      queue.sendLicenseGranted(BUYER, LICENSE);
      queue.sendLicenseGranted(BUYER, LICENSE);

      List<JsonNode> events = new ArrayList<>();
      for (var message : sqs.receiveMessage(r -> r.queueUrl(queue.queueUrl())
          .maxNumberOfMessages(10).waitTimeSeconds(1)).messages()) {
        events.add(JSON.readTree(message.body()));
      }

      assertThat(events).extracting(e -> e.path("detail-type").asText())
          .containsExactlyInAnyOrder(
              "Purchase Agreement Created - Proposer", "License Updated - Manufacturer");
      assertThat(events).extracting(e -> e.path("detail").path("requestId").asText())
          .as("one AWS request").containsOnly(events.get(0).path("detail").path("requestId")
              .asText());
      assertThat(events).extracting(e -> e.path("id").asText()).doesNotHaveDuplicates();
      assertThat(events).extracting(e -> e.path("detail").path("agreement").path("id").asText())
          .containsOnly(DevLifecycleQueue.agreementIdOf(LICENSE));
    }
  }
}

package io.mpconnect.e2e.harness;

import com.google.protobuf.util.Timestamps;
import io.mpconnect.activities.notifications.OutboxDispatcher;
import io.mpconnect.workflows.messages.OnboardingOutcome;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.common.converter.DefaultDataConverter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

/**
 * What a fault left behind, checked against the product's promises and printed as one row of the
 * fault summary: every onboarding in its expected final state, exactly one organization link per
 * connected AWS customer and no organization left behind by a rolled-back connect, exactly one
 * confirmation e-mail per connected onboarding, nothing stuck.
 */
public final class FaultReport {
  private static final List<String> ROWS = new ArrayList<>();

  /**
   * @param stuck onboardings not closed by the deadline, or closed other than completed
   * @param wrongOutcome closed with another outcome than expected
   * @param duplicateLinks links beyond one per AWS customer, plus organizations that connects
   *     created but that hold no link (a rolled-back or repeated connect leaking an organization)
   * @param missingLinks connected onboardings whose customer has no link to the reported
   *     organization, or whose link is not ACTIVE although AWS confirmed the subscription
   * @param duplicateMails confirmation e-mails beyond the first per recipient, plus e-mails to
   *     customers who did not connect, plus outbox rows beyond one per onboarding
   * @param missingMails connected onboardings whose confirmation never arrived
   * @param recovery from the moment the fault was cleared until the first onboarding closed
   *     after it: the system works again
   * @param drained from the moment the fault was cleared until the last onboarding closed
   *     (includes the people's steps the test drives after the fault)
   */
  public record Result(
      String fault,
      int started,
      Map<String, Integer> outcomes,
      int stuck,
      int wrongOutcome,
      int duplicateLinks,
      int missingLinks,
      int duplicateMails,
      int missingMails,
      Duration recovery,
      Duration drained) {

    public String row() {
      String byOutcome = outcomes.entrySet().stream()
          .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
      return String.format("| %-46s | %7d | %-44s | %5d | %15d | %17d | %13.1f s | %10.1f s |",
          fault, started, byOutcome, stuck + wrongOutcome, duplicateLinks, duplicateMails,
          recovery.toMillis() / 1000.0, drained.toMillis() / 1000.0);
    }
  }

  public static final String HEADER = String.format(
      "| %-46s | %7s | %-44s | %5s | %15s | %17s | %15s | %12s |%n|%s|%s|%s|%s|%s|%s|%s|%s|",
      "fault", "started", "completed by outcome", "stuck", "duplicate links", "duplicate e-mails",
      "time to recover", "all closed", "-".repeat(48), "-".repeat(9), "-".repeat(46),
      "-".repeat(7), "-".repeat(17), "-".repeat(19), "-".repeat(17), "-".repeat(14));

  /**
   * Waits (up to {@code timeout}) for every onboarding to close and every due confirmation to
   * arrive, then measures. {@code faultCleared} is when the last fault was undone (process
   * restarted, server back).
   */
  public static Result check(
      Stack stack,
      String fault,
      Map<Customer, OnboardingOutcome> expected,
      Instant faultCleared,
      Duration timeout) {
    List<Customer> customers = new ArrayList<>(expected.keySet());
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<Customer, WorkflowExecutionInfo> infos = new LinkedHashMap<>();
    while (true) {
      infos.clear();
      for (Customer customer : customers) {
        try {
          infos.put(customer, stack.describe(customer.workflowId()).getWorkflowExecutionInfo());
        } catch (RuntimeException notYet) {
          // Temporal still recovering: describe again on the next round.
        }
      }
      boolean allClosed = infos.size() == customers.size() && infos.values().stream()
          .allMatch(i -> i.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
      if (allClosed || System.nanoTime() > deadline) {
        break;
      }
      Waits.sleep(Duration.ofMillis(500));
    }

    Map<String, Integer> outcomes = new TreeMap<>();
    int stuck = 0;
    int wrong = 0;
    Instant lastClose = faultCleared;
    Instant firstClose = null;
    Map<Customer, String> connectedOrganization = new HashMap<>();
    List<String> problems = new ArrayList<>();
    for (Customer customer : customers) {
      WorkflowExecutionInfo info = infos.get(customer);
      if (info == null
          || info.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
        stuck++;
        problems.add(customer + " not completed: "
            + (info == null ? "unknown" : info.getStatus()) + " " + customer.safeView());
        continue;
      }
      Instant closed = Instant.ofEpochMilli(Timestamps.toMillis(info.getCloseTime()));
      if (closed.isAfter(lastClose)) {
        lastClose = closed;
      }
      if (closed.isAfter(faultCleared) && (firstClose == null || closed.isBefore(firstClose))) {
        firstClose = closed;
      }
      String outcome = keyword(info, "OnboardingOutcome");
      outcomes.merge(String.valueOf(outcome), 1, Integer::sum);
      if (!expected.get(customer).name().equals(outcome)) {
        wrong++;
        problems.add(customer + " ended " + outcome + ", expected " + expected.get(customer));
      }
      if (OnboardingOutcome.CONNECTED.name().equals(outcome)) {
        connectedOrganization.put(customer, keyword(info, "OrganizationId"));
      }
    }

    // Links: one per customer, to the organization the workflow reported.
    List<String> accounts = customers.stream().map(Customer::awsAccountId).distinct().toList();
    List<String> onboardingIds = customers.stream().map(Customer::onboardingId).toList();
    // The onboarding ends at the link; the subscription workflow activates it a moment later
    // (once it has both the link and AWS's confirmation), so give it the same grace as the mails.
    Map<String, List<String>> links = links(stack, accounts);
    long linkDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < linkDeadline && !allActive(connectedOrganization, links)) {
      Waits.sleep(Duration.ofMillis(500));
      links = links(stack, accounts);
    }
    int duplicateLinks = links.values().stream().mapToInt(l -> Math.max(0, l.size() - 1)).sum();
    int leakedOrganizations = stack.jdbi().withHandle(h -> h.createQuery(
            "SELECT count(*) FROM organizations o WHERE o.created_by_onboarding IN (<ids>)"
                + " AND NOT EXISTS (SELECT 1 FROM marketplace_links l"
                + "                 WHERE l.organization_id = o.id)")
        .bindList("ids", onboardingIds)
        .mapTo(Integer.class).one());
    if (leakedOrganizations > 0) {
        problems.add(leakedOrganizations + " organization(s) created by a connect hold no link");
    }
    duplicateLinks += leakedOrganizations;
    int missingLinks = 0;
    for (Map.Entry<Customer, String> connected : connectedOrganization.entrySet()) {
      List<String> held = links.getOrDefault(connected.getKey().awsAccountId(), List.of());
      if (held.size() != 1 || !held.get(0).equals(connected.getValue() + ":ACTIVE")) {
        missingLinks++;
        problems.add(connected.getKey() + " connected to " + connected.getValue()
            + " but the links are " + held);
      }
    }

    // Confirmation e-mails: exactly one per connected onboarding, none to anyone else.
    Map<String, Customer> byEmail = new HashMap<>();
    customers.forEach(c -> byEmail.put(c.email(), c));
    // The dispatcher polls every 2 s: 30 s after the last onboarding closed is plenty, unless a
    // killed worker had claimed an e-mail: another sends it once its lease ran out (documented in
    // docs/operations.md, "The confirmation e-mail is late"). The wait ends when all are in.
    long mailDeadline = System.nanoTime()
        + OutboxDispatcher.Settings.DEFAULTS.lease().plusSeconds(30).toNanos();
    Map<String, Integer> received = mailsByRecipient(stack);
    while (!connectedOrganization.keySet().stream().allMatch(c -> received.containsKey(c.email()))
        && System.nanoTime() < mailDeadline) {
      Waits.sleep(Duration.ofMillis(500));
      received.clear();
      received.putAll(mailsByRecipient(stack));
    }
    int duplicateMails = 0;
    int missingMails = 0;
    for (Customer customer : customers) {
      int count = received.getOrDefault(customer.email(), 0);
      boolean connected = connectedOrganization.containsKey(customer);
      if (connected && count == 0) {
        missingMails++;
        problems.add(customer + " connected but got no confirmation e-mail");
      }
      int extra = connected ? Math.max(0, count - 1) : count;
      if (extra > 0) {
        problems.add(customer + " got " + count + " confirmation e-mails");
      }
      duplicateMails += extra;
    }
    int outboxExtra = stack.jdbi().withHandle(h -> h.createQuery(
            "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM notification_outbox"
                + " WHERE kind = 'CONNECTION_CONFIRMATION' AND payload->>'onboardingId' IN (<ids>)"
                + " GROUP BY payload->>'onboardingId') t")
        .bindList("ids", onboardingIds)
        .mapTo(Integer.class).one());
    duplicateMails += outboxExtra;

    Result result = new Result(fault, customers.size(), outcomes, stuck, wrong, duplicateLinks,
        missingLinks, duplicateMails, missingMails,
        firstClose == null ? Duration.ZERO : Duration.between(faultCleared, firstClose),
        Duration.between(faultCleared, lastClose).isNegative()
            ? Duration.ZERO : Duration.between(faultCleared, lastClose));
    print(result, problems);
    return result;
  }

  private static Map<String, Integer> mailsByRecipient(Stack stack) {
    Map<String, Integer> counts = new HashMap<>();
    for (MimeMessage message : stack.mail().getReceivedMessages()) {
      try {
        // The connection confirmation only; subscription notices (plan activated, ...) differ.
        if (message.getSubject() == null
            || !message.getSubject().endsWith("is now connected to AWS Marketplace")) {
          continue;
        }
        Address[] to = message.getAllRecipients();
        if (to != null) {
          for (Address address : to) {
            counts.merge(address.toString(), 1, Integer::sum);
          }
        }
      } catch (MessagingException e) {
        throw new IllegalStateException(e);
      }
    }
    return counts;
  }

  private static String keyword(WorkflowExecutionInfo info, String name) {
    Payload payload = info.getSearchAttributes().getIndexedFieldsMap().get(name);
    if (payload == null) {
      return null;
    }
    Object value = DefaultDataConverter.STANDARD_INSTANCE.fromPayload(payload, String.class, String.class);
    return value == null ? null : value.toString();
  }

  private static synchronized void print(Result result, List<String> problems) {
    ROWS.add(result.row());
    StringBuilder out = new StringBuilder();
    out.append("\nFAULT SUMMARY (").append(result.fault()).append(")\n");
    out.append(HEADER).append('\n').append(result.row()).append('\n');
    if (result.missingLinks() > 0 || result.missingMails() > 0) {
      out.append("  missing links: ").append(result.missingLinks())
          .append(", missing confirmation e-mails: ").append(result.missingMails()).append('\n');
    }
    problems.stream().limit(20).forEach(p -> out.append("  problem: ").append(p).append('\n'));
    System.out.print(out);
    System.out.flush();
    // Test JVMs run side by side (e2e/pom.xml) and share the file: under a lock, the first row
    // writes the header (bin/test removes the file before a run).
    Path file = Stack.targetDirectory().resolve("fault-summary.md");
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
            StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        FileLock lock = channel.lock()) {
      String text = (channel.size() == 0 ? HEADER + "\n" : "") + result.row() + "\n";
      channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every row printed in this JVM so far, for the suite's closing table. */
  public static synchronized List<String> rows() {
    return List.copyOf(ROWS);
  }

  private FaultReport() {}

  /** Each account's links as {@code <organization>:<status>}. */
  private static Map<String, List<String>> links(Stack stack, List<String> accounts) {
    return stack.jdbi().withHandle(h -> h.createQuery(
            "SELECT aws_account_id, organization_id::text || ':' || subscription_status AS org"
                + " FROM marketplace_links"
                + " WHERE product_code = :p AND aws_account_id IN (<accounts>)")
        .bind("p", Stack.PRODUCT_CODE)
        .bindList("accounts", accounts)
        .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
        .list()
        .stream()
        .collect(Collectors.groupingBy(Map.Entry::getKey,
            Collectors.mapping(Map.Entry::getValue, Collectors.toList()))));
  }

  private static boolean allActive(
      Map<Customer, String> connectedOrganization, Map<String, List<String>> links) {
    return connectedOrganization.entrySet().stream()
        .allMatch(c -> links.getOrDefault(c.getKey().awsAccountId(), List.of())
            .equals(List.of(c.getValue() + ":ACTIVE")));
  }

}

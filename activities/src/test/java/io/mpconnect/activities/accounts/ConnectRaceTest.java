package io.mpconnect.activities.accounts;

import static io.mpconnect.activities.accounts.AccountActivitiesImplTest.command;
import static io.mpconnect.activities.accounts.AccountActivitiesImplTest.customer;
import static io.mpconnect.activities.accounts.AccountActivitiesImplTest.existing;
import static io.mpconnect.activities.accounts.AccountActivitiesImplTest.identity;
import static org.assertj.core.api.Assertions.assertThat;

import io.mpconnect.persistence.Plan;
import io.mpconnect.workflows.messages.ConnectChoice;
import io.mpconnect.workflows.messages.ConnectCommand;
import io.mpconnect.workflows.messages.ConnectResult;
import io.mpconnect.workflows.messages.ConnectResult.Status;
import io.mpconnect.workflows.messages.ResolvedCustomer;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two onboardings of the same AWS customer connecting at the same moment. */
class ConnectRaceTest {
  @RegisterExtension static final TestDatabase db = new TestDatabase();

  private final AccountActivitiesImpl activities = new AccountActivitiesImpl(db.jdbi());
  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  @AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  @Test
  void racingConnects_ofOneCustomer_toDifferentOrganizations_linkExactlyOne() throws Exception {
    ResolvedCustomer customer = customer();
    String alice = user("alice");
    String bob = user("bob");
    UUID aliceOrg = ownedStarter(alice, "Alice Co");
    UUID bobOrg = ownedStarter(bob, "Bob Co");

    List<ConnectResult> results =
        race(
            customer,
            command("onb-alice", alice, customer, existing(aliceOrg), true),
            command("onb-bob", bob, customer, existing(bobOrg), true));

    ConnectResult winner = only(results, Status.CONNECTED);
    ConnectResult loser = only(results, Status.CUSTOMER_ALREADY_LINKED);
    assertThat(loser.organization().id()).isEqualTo(winner.organization().id());
    assertThat(links(customer)).isEqualTo(1);
    UUID loserOrg = winner.organization().id().equals(aliceOrg.toString()) ? bobOrg : aliceOrg;
    assertThat(
            db.count("SELECT count(*) FROM marketplace_links WHERE organization_id = ?", loserOrg))
        .isZero();
    assertThat(
            db.count(
                "SELECT count(*) FROM organizations WHERE id = ? AND plan = ?",
                loserOrg,
                Plan.STARTER.name()))
        .isEqualTo(1);
  }

  @Test
  void racingConnects_ofOneCustomer_creatingOrganizations_leaveNoOrphan() throws Exception {
    ResolvedCustomer customer = customer();
    String carol = user("carol");
    String dave = user("dave");

    List<ConnectResult> results =
        race(
            customer,
            command("onb-carol", carol, customer, ConnectChoice.create("Carol Co"), true),
            command("onb-dave", dave, customer, ConnectChoice.create("Dave Co"), true));

    ConnectResult winner = only(results, Status.CONNECTED);
    assertThat(only(results, Status.CUSTOMER_ALREADY_LINKED).organization())
        .isEqualTo(winner.organization());
    assertThat(links(customer)).isEqualTo(1);
    assertThat(
            db.count(
                "SELECT count(*) FROM organizations WHERE created_by_onboarding IN ('onb-carol',"
                    + " 'onb-dave')"))
        .isEqualTo(1);
    assertThat(
            db.count(
                "SELECT count(*) FROM memberships m JOIN organizations o ON o.id ="
                    + " m.organization_id WHERE o.name IN ('Carol Co', 'Dave Co')"))
        .isEqualTo(1);
  }

  /**
   * Holds the customer's row locked until both connects are blocked on it, then lets them go
   * together, so the race is real on every run rather than a matter of thread timing.
   */
  private List<ConnectResult> race(ResolvedCustomer customer, ConnectCommand a, ConnectCommand b)
      throws Exception {
    activities.registerCustomer(customer);
    Future<ConnectResult> first;
    Future<ConnectResult> second;
    try (Handle gate = db.jdbi().open()) {
      gate.begin();
      gate.select(
              "SELECT 1 FROM marketplace_customers WHERE product_code = ? AND aws_account_id = ?"
                  + " FOR UPDATE",
              customer.productCode(),
              customer.awsAccountId())
          .mapTo(Integer.class)
          .one();
      first = pool.submit(() -> activities.connect(a));
      second = pool.submit(() -> activities.connect(b));
      db.awaitLockWaiters(2);
      gate.commit();
    }
    return List.of(first.get(20, TimeUnit.SECONDS), second.get(20, TimeUnit.SECONDS));
  }

  private static ConnectResult only(List<ConnectResult> results, Status status) {
    assertThat(results).filteredOn(r -> r.status() == status).hasSize(1);
    return results.stream().filter(r -> r.status() == status).findFirst().orElseThrow();
  }

  private String user(String name) {
    return activities.signIn(identity(name + "-" + UUID.randomUUID())).user().userId();
  }

  private UUID ownedStarter(String userId, String name) {
    UUID org = UUID.randomUUID();
    db.jdbi()
        .useHandle(
            h -> {
              h.execute("INSERT INTO organizations (id, name) VALUES (?, ?)", org, name);
              h.execute(
                  "INSERT INTO memberships (organization_id, user_id, role) VALUES (?, ?, 'OWNER')",
                  org,
                  UUID.fromString(userId));
            });
    return org;
  }

  private int links(ResolvedCustomer customer) {
    return db.count(
        "SELECT count(*) FROM marketplace_links WHERE product_code = ? AND aws_account_id = ?",
        customer.productCode(),
        customer.awsAccountId());
  }
}

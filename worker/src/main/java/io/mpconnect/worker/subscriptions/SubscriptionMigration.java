package io.mpconnect.worker.subscriptions;

import io.mpconnect.persistence.MarketplaceCustomerRepository;
import io.mpconnect.persistence.MarketplaceCustomerRepository.Unmigrated;
import io.mpconnect.workflows.subscription.SubscriptionIds;
import io.mpconnect.workflows.subscription.SubscriptionSignals;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks every customer's subscription workflow of the code before licenses, once, to migrate: one
 * keyed by a CustomerIdentifier hands its state to the account's workflow; one keyed by the account
 * continues as new on the current code. A workflow that is not running (or already current) is
 * simply marked. Runs in the background at worker start; a failure leaves the rest for the next
 * start (an event of AWS's current model also makes an old workflow migrate).
 */
public final class SubscriptionMigration implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(SubscriptionMigration.class);
  private static final int PAGE = 500;

  private final MarketplaceCustomerRepository customers;
  private final SubscriptionSignals signals;

  public SubscriptionMigration(Jdbi jdbi, SubscriptionSignals signals) {
    this.customers = new MarketplaceCustomerRepository(jdbi);
    this.signals = signals;
  }

  /** Starts {@link #run} on a daemon thread. */
  public void start() {
    Thread thread = new Thread(this, "subscription-migration");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void run() {
    int asked = 0;
    try {
      while (true) {
        List<Unmigrated> page = customers.unmigrated(PAGE);
        if (page.isEmpty()) {
          break;
        }
        for (Unmigrated customer : page) {
          String legacyKey =
              SubscriptionIds.legacyCustomerKey(
                  customer.customerIdentifier(), customer.awsAccountId());
          if (SubscriptionIds.isSafe(legacyKey)
              && signals.migrate(customer.productCode(), legacyKey)) {
            asked++;
          }
          customers.markMigrated(customer.productCode(), customer.awsAccountId());
        }
      }
      if (asked > 0) {
        log.info("asked {} subscription workflow(s) of the code before licenses to migrate", asked);
      }
    } catch (RuntimeException e) {
      log.warn("subscription migration stopped, the rest waits for the next start: {}",
          e.getMessage());
    }
  }
}

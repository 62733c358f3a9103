package io.mpconnect.activities.subscriptions;

import io.mpconnect.activities.notifications.SubscriptionNoticeEmail;
import io.mpconnect.persistence.LicenseRepository;
import io.mpconnect.persistence.LinkStatus;
import io.mpconnect.persistence.MarketplaceLicense;
import io.mpconnect.persistence.Organization;
import io.mpconnect.persistence.OrganizationRepository;
import io.mpconnect.persistence.OutboxRepository;
import io.mpconnect.persistence.SubscriptionRepository;
import io.mpconnect.persistence.SubscriptionRepository.Applied;
import io.mpconnect.persistence.SubscriptionRepository.LinkedOrganization;
import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.activities.SubscriptionActivities;
import io.mpconnect.workflows.messages.License;
import io.mpconnect.workflows.messages.SubscriptionLicenses;
import io.mpconnect.workflows.messages.SubscriptionLink;
import io.mpconnect.workflows.messages.SubscriptionNotice;
import io.mpconnect.workflows.messages.SubscriptionTransition;
import io.mpconnect.workflows.messages.TransitionResult;
import io.mpconnect.workflows.onboarding.OnboardingIds;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscription's effects in PostgreSQL. Input that can never apply fails with INVALID_INPUT;
 * database outages propagate and Temporal retries the call.
 */
public final class SubscriptionActivitiesImpl implements SubscriptionActivities {
  private static final Logger log = LoggerFactory.getLogger(SubscriptionActivitiesImpl.class);

  private final SubscriptionRepository subscriptions;
  private final OrganizationRepository organizations;
  private final OutboxRepository outbox;
  private final LicenseRepository licenses;

  public SubscriptionActivitiesImpl(Jdbi jdbi) {
    subscriptions = new SubscriptionRepository(jdbi);
    organizations = new OrganizationRepository(jdbi);
    outbox = new OutboxRepository(jdbi);
    licenses = new LicenseRepository(jdbi);
  }

  @Override
  public TransitionResult applyTransition(SubscriptionTransition transition) {
    if (transition == null || blank(transition.productCode()) || blank(transition.customerKey())
        || transition.to() == null) {
      throw invalid("The subscription transition is incomplete.");
    }
    Map<String, Object> cause = new LinkedHashMap<>();
    cause.put("cause", transition.cause());
    cause.put("messageId", transition.messageId());
    cause.put("source", transition.source());
    if (transition.organizationId() == null) {
      subscriptions.recordUnlinkedStatus(
          transition.productCode(),
          accountOf(transition),
          transition.customerKey(),
          transition.from() == null ? null : transition.from().name(),
          transition.to().name(),
          transition.sequence(),
          cause);
      return new TransitionResult(null, false, false);
    }
    UUID organizationId = uuid(transition.organizationId());
    String account = accountOf(transition);
    if (account == null) {
      throw invalid("The AWS account of customer " + transition.customerKey() + " is not known.");
    }
    Optional<Applied> applied =
        subscriptions.applyStatus(
            transition.productCode(),
            account,
            organizationId,
            LinkStatus.valueOf(transition.to().name()),
            transition.customerKey(),
            transition.sequence(),
            cause);
    if (applied.isEmpty()) {
      throw invalid(
          "Customer " + transition.customerKey() + " is not linked to organization "
              + organizationId + ".");
    }
    Applied done = applied.get();
    if (done.linkChanged() || done.planChanged()) {
      log.info(
          "subscription {} of organization {}: {} -> {}, plan {}",
          transition.customerKey(),
          organizationId,
          done.before(),
          done.after(),
          done.plan());
    }
    return new TransitionResult(done.plan().name(), done.linkChanged(), done.planChanged());
  }

  @Override
  public SubscriptionLink findLink(String productCode, String customerKey) {
    if (blank(productCode) || blank(customerKey)) {
      throw invalid("A product code and a customer key are needed.");
    }
    return subscriptions
        .findByCustomerKey(productCode, customerKey)
        .map(link -> toLink(link, customerKey))
        .orElse(null);
  }

  @Override
  public void saveLicenses(SubscriptionLicenses set) {
    if (set == null || blank(set.productCode()) || blank(set.awsAccountId())
        || set.licenses() == null) {
      throw invalid("The subscription's licenses are incomplete.");
    }
    UUID organizationId = blank(set.organizationId()) ? null : uuid(set.organizationId());
    List<LicenseRepository.Entry> entries = new ArrayList<>(set.licenses().size());
    Set<String> keys = new HashSet<>();
    for (License license : set.licenses()) {
      if (license == null || blank(license.key()) || license.status() == null) {
        throw invalid("A license of customer " + set.awsAccountId() + " has no key or status.");
      }
      if (!keys.add(license.key())) {
        throw invalid("License " + license.key() + " of customer " + set.awsAccountId()
            + " appears twice.");
      }
      entries.add(
          new LicenseRepository.Entry(
              license.key(),
              license.licenseArn(),
              license.agreementId(),
              MarketplaceLicense.Status.valueOf(license.status().name()),
              license.usableFrom(),
              license.endedAt(),
              license.revokedAt(),
              license.freeTrial(),
              license.offerId(),
              license.intent(),
              license.endReason()));
    }
    boolean written =
        licenses.save(
            new LicenseRepository.LicenseSet(
                set.productCode(), set.awsAccountId(), organizationId, entries, set.sequence()));
    if (written) {
      log.debug("licenses of {} {} saved at sequence {} ({} license(s))", set.productCode(),
          set.awsAccountId(), set.sequence(), entries.size());
    } else {
      log.info("licenses of {} {} at sequence {} ignored: a newer write is stored",
          set.productCode(), set.awsAccountId(), set.sequence());
    }
  }

  @Override
  public String accountOfIdentifier(String productCode, String customerIdentifier) {
    if (blank(productCode) || blank(customerIdentifier)) {
      throw invalid("A product code and a customer identifier are needed.");
    }
    return subscriptions.accountOfIdentifier(productCode, customerIdentifier.strip()).orElse(null);
  }

  @Override
  public void notifyOwners(SubscriptionNotice notice) {
    if (notice == null || notice.kind() == null || blank(notice.organizationId())) {
      throw invalid("The subscription notice is incomplete.");
    }
    UUID organizationId = uuid(notice.organizationId());
    Organization organization =
        organizations
            .findById(organizationId)
            .orElseThrow(() -> invalid("There is no organization " + organizationId + "."));
    String kind =
        switch (notice.kind()) {
          case ACTIVATED -> SubscriptionNoticeEmail.ACTIVATED;
          case FAILED -> SubscriptionNoticeEmail.FAILED;
          case ENDED -> SubscriptionNoticeEmail.ENDED;
        };
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("organizationId", organizationId.toString());
    payload.put("organizationName", organization.name());
    payload.put("awsAccountId", notice.awsAccountId());
    payload.put("productCode", notice.productCode());
    List<UUID> owners = subscriptions.ownersOf(organizationId);
    for (UUID owner : owners) {
      outbox.enqueue(
          String.join(
              ":",
              "subscription",
              kind,
              notice.productCode(),
              notice.customerKey(),
              Long.toString(notice.sequence()),
              owner.toString()),
          kind,
          owner,
          organizationId,
          payload);
    }
    log.info("{} notice for organization {} queued for {} owner(s)", kind, organizationId,
        owners.size());
  }

  private String accountOf(SubscriptionTransition transition) {
    if (!blank(transition.awsAccountId())) {
      return transition.awsAccountId();
    }
    if (!blank(transition.customerIdentifier())) {
      return subscriptions
          .accountOfIdentifier(transition.productCode(), transition.customerIdentifier())
          .orElse(null);
    }
    // Neither named: then the key is the account under both keyings (the account id, or the
    // identifier when there is one).
    return transition.customerKey();
  }

  private static SubscriptionLink toLink(LinkedOrganization link, String customerKey) {
    return new SubscriptionLink(
        link.productCode(),
        customerKey,
        link.awsAccountId(),
        link.customerIdentifier(),
        link.organizationId().toString(),
        link.organizationName(),
        link.linkedByOnboarding(),
        // The onboarding that made the link may still be waiting to hear AWS's answer.
        link.linkedByOnboarding() == null
            ? null
            : OnboardingIds.workflowId(link.linkedByOnboarding()));
  }

  static UUID uuid(String value) {
    try {
      return UUID.fromString(value.strip());
    } catch (IllegalArgumentException e) {
      throw invalid("\"" + value + "\" is not a valid organization id.");
    }
  }

  static boolean blank(String value) {
    return value == null || value.isBlank();
  }

  static ApplicationFailure invalid(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, FailureTypes.INVALID_INPUT);
  }
}

package io.mpconnect.workflows.subscription;

import io.mpconnect.workflows.messages.AwsSubscriptionState;
import io.mpconnect.workflows.messages.License;
import io.mpconnect.workflows.messages.LicenseStatus;
import io.mpconnect.workflows.messages.LifecycleAction;
import io.mpconnect.workflows.messages.LifecycleEvent;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A customer's licenses and how AWS's events change them. Plain, deterministic code (no Temporal
 * calls), so the subscription workflow and its unit tests share it.
 *
 * <ul>
 *   <li>Current model: each agreement is a license, keyed by its agreement id (or by its ARN while
 *       only the ARN is known, e.g. from the registration). A license only moves forward (PENDING,
 *       USABLE, ENDING, ENDED), so events applied in any order reach the same state; times come
 *       from the events themselves, never from their arrival.
 *   <li>Legacy model: one implicit license. Its actions are applied in AWS's time order (an event
 *       older than the last one applied is stale), and subscribe-success after unsubscribe-success
 *       re-activates it, as AWS re-uses the customer's identifiers.
 * </ul>
 */
final class LicenseBook {
  /** Agreement end states that open the final metering hour (RENEWED, REPLACED do not). */
  static final Set<String> CANCELLING_ENDS = Set.of("CANCELLED", "EXPIRED", "TERMINATED");

  private static final String ARN_KEY_PREFIX = "arn:";

  /** What applying an event did. */
  enum Effect {
    /** The licenses changed. */
    CHANGED,
    /** Applied, nothing to change (e.g. an amendment, or an event already reflected). */
    UNCHANGED,
    /** Older than what the license already holds (legacy ordering): not applied. */
    STALE
  }

  private final Map<String, License> licenses = new LinkedHashMap<>();

  LicenseBook(List<License> initial) {
    if (initial != null) {
      initial.forEach(l -> licenses.put(l.key(), l));
    }
  }

  List<License> all() {
    return List.copyOf(licenses.values());
  }

  boolean isEmpty() {
    return licenses.isEmpty();
  }

  /** The subscription's status: the paid plan is on while linked and a license is usable. */
  SubscriptionStatus status(boolean linked) {
    return switch (AwsSubscriptionState.of(licenses.values())) {
      case NONE -> SubscriptionStatus.PENDING;
      case SUBSCRIBED -> linked ? SubscriptionStatus.ACTIVE : SubscriptionStatus.PENDING;
      case FAILED -> SubscriptionStatus.FAILED;
      case UNSUBSCRIBE_PENDING -> SubscriptionStatus.UNSUBSCRIBE_PENDING;
      case UNSUBSCRIBED -> SubscriptionStatus.UNSUBSCRIBED;
    };
  }

  AwsSubscriptionState awsState() {
    return AwsSubscriptionState.of(licenses.values());
  }

  /** The licenses whose status is {@code status}. */
  List<License> withStatus(LicenseStatus status) {
    return licenses.values().stream().filter(l -> l.status() == status).toList();
  }

  /**
   * A license the registration named (current model), or the registration's free-trial offer
   * type. Known licenses keep what events already said.
   */
  Effect registered(String licenseArn, String offerType) {
    Boolean freeTrial = "free-trial".equalsIgnoreCase(offerType) ? Boolean.TRUE : null;
    if (licenseArn == null || licenseArn.isBlank()) {
      return Effect.UNCHANGED;
    }
    License existing = find(null, licenseArn);
    if (existing == null) {
      put(
          new License(ARN_KEY_PREFIX + licenseArn, licenseArn, null, LicenseStatus.PENDING, null,
              null, null, freeTrial, null, null, null, null));
      return Effect.CHANGED;
    }
    if (freeTrial != null && existing.freeTrial() == null) {
      put(with(existing, existing.status(), freeTrial, existing.offerId()));
      return Effect.CHANGED;
    }
    return Effect.UNCHANGED;
  }

  Effect apply(LifecycleEvent event) {
    if (event.action() == LifecycleAction.ENTITLEMENT_UPDATED) {
      // Contract listings: the entitlements changed (re-read by the workflow), not the license.
      return Effect.UNCHANGED;
    }
    return event.action().legacy() ? applyLegacy(event) : applyAgreement(event);
  }

  /** The license with this LicenseArn (null: the legacy implicit license), or null. */
  License byArn(String licenseArn) {
    if (licenseArn == null) {
      return licenses.get(License.LEGACY_KEY);
    }
    for (License license : licenses.values()) {
      if (licenseArn.equals(license.licenseArn())) {
        return license;
      }
    }
    return null;
  }

  /**
   * Every entitlement of the license expired at {@code at} (contract listings): it is revoked as
   * License Deprovisioned revokes it ({@code ENDED}, nothing more is metered).
   */
  Effect expire(String key, Instant at) {
    License current = licenses.get(key);
    if (current == null
        || current.status() == LicenseStatus.ENDED
        || current.status() == LicenseStatus.FAILED) {
      return Effect.UNCHANGED;
    }
    put(
        new License(current.key(), current.licenseArn(), current.agreementId(), LicenseStatus.ENDED,
            current.usableFrom(), earliest(current.endedAt(), at), earliest(current.revokedAt(), at),
            current.freeTrial(), current.offerId(), current.intent(),
            current.endReason() == null ? "ENTITLEMENT_EXPIRED" : current.endReason(),
            latest(current.lastEventAt(), at)));
    return Effect.CHANGED;
  }

  /** The implicit license of a legacy subscription as the code before licenses left it. */
  void adoptLegacyState(AwsSubscriptionState state, Instant lastEventAt, LifecycleAction last) {
    if (state == null || state == AwsSubscriptionState.NONE || licenses.containsKey(License.LEGACY_KEY)) {
      return;
    }
    LicenseStatus status =
        switch (state) {
          case SUBSCRIBED -> LicenseStatus.USABLE;
          case FAILED -> LicenseStatus.FAILED;
          case UNSUBSCRIBE_PENDING -> LicenseStatus.ENDING;
          case UNSUBSCRIBED -> LicenseStatus.ENDED;
          case NONE -> LicenseStatus.PENDING;
        };
    put(
        new License(
            License.LEGACY_KEY, null, null, status,
            status == LicenseStatus.USABLE ? lastEventAt : null,
            status == LicenseStatus.ENDING ? lastEventAt : null,
            status == LicenseStatus.ENDED ? lastEventAt : null,
            null, null, null, last == null ? null : last.wireName(), lastEventAt));
  }

  private Effect applyLegacy(LifecycleEvent event) {
    License current = licenses.get(License.LEGACY_KEY);
    if (AwsSubscriptionState.after(event.action()) == null) {
      return Effect.UNCHANGED;
    }
    Instant at = event.occurredAt();
    if (current != null
        && at != null
        && current.lastEventAt() != null
        && at.isBefore(current.lastEventAt())) {
      return Effect.STALE;
    }
    LicenseStatus next =
        switch (event.action()) {
          case SUBSCRIBE_SUCCESS -> LicenseStatus.USABLE;
          case SUBSCRIBE_FAIL -> LicenseStatus.FAILED;
          case UNSUBSCRIBE_PENDING -> LicenseStatus.ENDING;
          case UNSUBSCRIBE_SUCCESS -> LicenseStatus.ENDED;
          // Not a status change (ENTITLEMENT_UPDATED is filtered by apply()): never ENDED by default.
          default -> null;
        };
    LicenseStatus before = current == null ? null : current.status();
    Instant usableFrom = current == null ? null : current.usableFrom();
    Instant endedAt = current == null ? null : current.endedAt();
    Instant revokedAt = current == null ? null : current.revokedAt();
    if (next == LicenseStatus.USABLE && before != LicenseStatus.USABLE) {
      // A (re-)subscription: usage counts from AWS's time of it.
      usableFrom = at;
      endedAt = null;
      revokedAt = null;
    } else if (next == LicenseStatus.ENDING && endedAt == null) {
      endedAt = at;
    } else if (next == LicenseStatus.ENDED) {
      revokedAt = at;
      endedAt = endedAt == null ? at : endedAt;
    }
    License updated =
        new License(
            License.LEGACY_KEY, null, null, next, usableFrom, endedAt, revokedAt,
            firstNonNull(event.freeTrial(), current == null ? null : current.freeTrial()),
            firstNonNull(event.offerIdentifier(), current == null ? null : current.offerId()),
            null, null, at == null && current != null ? current.lastEventAt() : at);
    put(updated);
    return Objects.equals(updated, current) ? Effect.UNCHANGED : Effect.CHANGED;
  }

  private Effect applyAgreement(LifecycleEvent event) {
    License current = find(event.agreementId(), event.licenseArn());
    Instant at = event.occurredAt();
    String key =
        event.agreementId() != null
            ? event.agreementId()
            : current != null ? current.key() : ARN_KEY_PREFIX + event.licenseArn();
    LicenseStatus status = current == null ? LicenseStatus.PENDING : current.status();
    Instant usableFrom = current == null ? null : current.usableFrom();
    Instant endedAt = current == null ? null : current.endedAt();
    Instant revokedAt = current == null ? null : current.revokedAt();
    String intent = current == null ? null : current.intent();
    String endReason = current == null ? null : current.endReason();
    switch (event.action()) {
      case AGREEMENT_CREATED -> intent = firstNonNull(event.agreementDetail(), intent);
      case LICENSE_UPDATED -> {
        status = forward(status, LicenseStatus.USABLE);
        usableFrom = earliest(usableFrom, at);
      }
      case AGREEMENT_ENDED -> {
        endReason = firstNonNull(event.agreementDetail(), endReason);
        if (event.agreementDetail() != null && CANCELLING_ENDS.contains(event.agreementDetail())) {
          status = forward(status, LicenseStatus.ENDING);
          endedAt = earliest(endedAt, at);
        }
      }
      case LICENSE_DEPROVISIONED -> {
        status = forward(status, LicenseStatus.ENDED);
        revokedAt = earliest(revokedAt, at);
        endedAt = earliest(endedAt, at);
      }
      default -> {}
    }
    License updated =
        new License(
            key,
            firstNonNull(event.licenseArn(), current == null ? null : current.licenseArn()),
            firstNonNull(event.agreementId(), current == null ? null : current.agreementId()),
            status,
            usableFrom,
            endedAt,
            revokedAt,
            firstNonNull(event.freeTrial(), current == null ? null : current.freeTrial()),
            firstNonNull(event.offerIdentifier(), current == null ? null : current.offerId()),
            intent,
            endReason,
            latest(current == null ? null : current.lastEventAt(), at));
    if (current != null && !current.key().equals(key)) {
      // Known by its ARN (from the registration) until an event named its agreement.
      licenses.remove(current.key());
    }
    put(updated);
    return Objects.equals(updated, current) ? Effect.UNCHANGED : Effect.CHANGED;
  }

  /** Moves forward only: an event that arrives late never takes a license back. */
  private static LicenseStatus forward(LicenseStatus current, LicenseStatus next) {
    return next.ordinal() > current.ordinal() ? next : current;
  }

  private License find(String agreementId, String licenseArn) {
    if (agreementId != null && licenses.containsKey(agreementId)) {
      License byAgreement = licenses.get(agreementId);
      License byArn = licenseArn == null ? null : licenses.get(ARN_KEY_PREFIX + licenseArn);
      if (byArn != null) {
        // The registration's ARN-only entry and the agreement's entry are one license.
        licenses.remove(byArn.key());
        if (byArn.freeTrial() != null && byAgreement.freeTrial() == null) {
          byAgreement = with(byAgreement, byAgreement.status(), byArn.freeTrial(), byAgreement.offerId());
          put(byAgreement);
        }
      }
      return byAgreement;
    }
    if (licenseArn != null) {
      for (License license : licenses.values()) {
        if (licenseArn.equals(license.licenseArn())) {
          return license;
        }
      }
    }
    return null;
  }

  private void put(License license) {
    licenses.put(license.key(), license);
  }

  private static License with(License l, LicenseStatus status, Boolean freeTrial, String offerId) {
    return new License(l.key(), l.licenseArn(), l.agreementId(), status, l.usableFrom(),
        l.endedAt(), l.revokedAt(), freeTrial, offerId, l.intent(), l.endReason(), l.lastEventAt());
  }

  private static Instant earliest(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isBefore(b) ? a : b;
  }

  private static Instant latest(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isAfter(b) ? a : b;
  }

  private static <T> T firstNonNull(T a, T b) {
    return a != null ? a : b;
  }
}

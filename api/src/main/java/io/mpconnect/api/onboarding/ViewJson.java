package io.mpconnect.api.onboarding;

import io.mpconnect.api.marketplace.StoredSubscriptionStatus;
import io.mpconnect.workflows.messages.License;
import io.mpconnect.workflows.messages.OnboardingView;
import io.mpconnect.workflows.messages.OrganizationOption;
import java.util.List;

/**
 * The body of {@code GET /api/onboardings/{id}}: the contract's fields of the workflow's view,
 * named explicitly so a new field in the workflow's record is not published by accident.
 */
public record ViewJson(
    String id,
    String step,
    String outcome,
    Customer customer,
    List<Organization> organizations,
    OrganizationRef organization,
    Subscription subscription,
    String message,
    User user,
    String csrfToken) {

  public record Customer(String awsAccountId) {}

  public record Organization(
      String id, String name, String plan, String role, boolean eligible, String ineligibleReason,
      String linkedAwsAccount) {}

  public record OrganizationRef(String id, String name, String plan) {}

  /**
   * @param licenses the customer's licenses as its subscription workflow stored them, newest
   *     first, when the onboarding is connected and the records could be read; else empty
   */
  public record Subscription(String status, List<LicenseJson> licenses) {}

  /** One license (one agreement on AWS's current model; a legacy listing's implicit one). */
  public record LicenseJson(
      String licenseArn, String agreementId, String status, Boolean freeTrial, String offerId) {}

  public record User(String displayName, String email, String provider) {}

  /** The body of a view (its subscription's licenses as {@link StoredSubscriptionStatus} read). */
  public static ViewJson of(OnboardingView view, String csrfToken) {
    return of(
        view, view.subscription() == null ? List.of() : view.subscription().licenses(), csrfToken);
  }

  public static ViewJson of(StoredSubscriptionStatus.Refreshed refreshed, String csrfToken) {
    return of(refreshed.view(), refreshed.licenses(), csrfToken);
  }

  public static ViewJson of(OnboardingView view, List<License> licenses, String csrfToken) {
    return new ViewJson(
        view.id(),
        name(view.step()),
        name(view.outcome()),
        view.customer() == null ? null : new Customer(view.customer().awsAccountId()),
        view.organizations() == null
            ? List.of()
            : view.organizations().stream().map(ViewJson::organization).toList(),
        view.organization() == null
            ? null
            : new OrganizationRef(
                view.organization().id(), view.organization().name(), view.organization().plan()),
        view.subscription() == null
            ? null
            : new Subscription(
                name(view.subscription().status()),
                licenses == null
                    ? List.of()
                    : licenses.stream().map(ViewJson::license).toList()),
        view.message(),
        view.user() == null
            ? null
            : new User(view.user().displayName(), view.user().email(), view.user().provider()),
        csrfToken);
  }

  private static Organization organization(OrganizationOption o) {
    return new Organization(
        o.id(), o.name(), o.plan(), o.role(), o.eligible(), name(o.ineligibleReason()),
        o.linkedAwsAccount());
  }

  private static LicenseJson license(License l) {
    return new LicenseJson(l.licenseArn(), l.agreementId(), name(l.status()), l.freeTrial(),
        l.offerId());
  }

  private static String name(Enum<?> value) {
    return value == null ? null : value.name();
  }
}

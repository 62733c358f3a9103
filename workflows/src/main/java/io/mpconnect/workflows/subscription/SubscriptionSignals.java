package io.mpconnect.workflows.subscription;

import io.mpconnect.workflows.messages.LifecycleEvent;
import io.mpconnect.workflows.messages.SubscriptionInput;
import io.mpconnect.workflows.messages.SubscriptionLink;
import io.mpconnect.workflows.messages.SubscriptionSnapshot;
import io.mpconnect.workflows.messages.SubscriptionStatus;
import io.mpconnect.workflows.messages.SubscriptionView;
import io.mpconnect.workflows.shared.SearchAttributes;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import java.util.Optional;

/**
 * The one way into a subscription workflow: every input is sent with signal-with-start, so
 * whichever arrives first (the link or AWS's event) starts the workflow, and the order of arrival
 * never matters. Used by the worker's queue consumer, the onboarding's link activity and the api's
 * admin endpoint.
 *
 * <p>Every subscription is keyed by the AWS account. A legacy event that names only a
 * CustomerIdentifier is mapped to its account through the {@link AccountDirectory}; while no
 * registration has mapped it, it waits in that identifier's {@link CustomerIdentifierWorkflow}.
 */
public final class SubscriptionSignals {
  private static final String WAITING_SUMMARY =
      "AWS Marketplace events waiting for the customer's registration";

  /** Where the AWS account of a legacy CustomerIdentifier is looked up (PostgreSQL). */
  @FunctionalInterface
  public interface AccountDirectory {
    /** The account, or null while no registration named the identifier. */
    String accountOf(String productCode, String customerIdentifier);

    /** Knows nothing: every unmapped event goes through the identifier's waiting workflow. */
    AccountDirectory NONE = (productCode, identifier) -> null;
  }

  private final WorkflowClient client;
  private final String taskQueue;
  private final AccountDirectory accounts;

  public SubscriptionSignals(WorkflowClient client, String taskQueue) {
    this(client, taskQueue, AccountDirectory.NONE);
  }

  public SubscriptionSignals(WorkflowClient client, String taskQueue, AccountDirectory accounts) {
    this.client = client;
    this.taskQueue = taskQueue;
    this.accounts = accounts;
  }

  /**
   * Delivers a lifecycle event; returns once Temporal accepted the signal (then, and only then, may
   * the message be deleted from its queue). Throws when Temporal did not accept it.
   */
  public WorkflowExecution deliver(LifecycleEvent event) {
    if (event.awsAccountId() == null && event.customerIdentifier() != null) {
      String account = accounts.accountOf(event.productCode(), event.customerIdentifier());
      if (account == null) {
        return holdUntilMapped(event);
      }
      event = event.withAccount(account);
    }
    SubscriptionWorkflow workflow =
        stub(event.productCode(), event.customerKey(), event.customerIdentifier(),
            event.awsAccountId(), null,
            "Started by AWS's "
                + (event.action() == null ? "" : "`" + event.action().wireName() + "` ")
                + "event"
                + (event.source() == null ? "" : " (" + event.source() + ")"));
    BatchRequest request = client.newSignalWithStartRequest();
    request.add(
        workflow::run, SubscriptionInput.fresh(event.productCode(), event.customerKey()));
    request.add(workflow::lifecycleEvent, event);
    return client.signalWithStart(request);
  }

  private WorkflowExecution holdUntilMapped(LifecycleEvent event) {
    WorkflowOptions options =
        WorkflowOptions.newBuilder()
            .setWorkflowId(
                SubscriptionIds.identifierWorkflowId(event.productCode(), event.customerIdentifier()))
            .setTaskQueue(taskQueue)
            .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
            .setTypedSearchAttributes(
                io.temporal.common.SearchAttributes.newBuilder()
                    .set(SearchAttributes.MARKETPLACE_PRODUCT_CODE, event.productCode())
                    .set(SearchAttributes.MARKETPLACE_CUSTOMER_ID, event.customerIdentifier())
                    .build())
            .setStaticSummary(WAITING_SUMMARY)
            .build();
    CustomerIdentifierWorkflow waiting =
        client.newWorkflowStub(CustomerIdentifierWorkflow.class, options);
    BatchRequest request = client.newSignalWithStartRequest();
    request.add(waiting::run, event.productCode(), event.customerIdentifier());
    request.add(waiting::lifecycleEvent, event);
    return client.signalWithStart(request);
  }

  /**
   * A registration mapped a CustomerIdentifier to its account (written to PostgreSQL first): the
   * events waiting for it move on, and a subscription of the code before licenses keyed by the
   * identifier migrates to the account's. Either may not exist; nothing is started.
   */
  public void accountKnown(String productCode, String customerIdentifier, String awsAccountId) {
    signalIfRunning(
        SubscriptionIds.identifierWorkflowId(productCode, customerIdentifier),
        CustomerIdentifierWorkflow.ACCOUNT_KNOWN_SIGNAL,
        awsAccountId);
    signalIfRunning(
        SubscriptionIds.workflowId(productCode, customerIdentifier),
        SubscriptionWorkflow.MIGRATE_SIGNAL);
  }

  /** Asks a subscription of the code before licenses to migrate; false when none runs there. */
  public boolean migrate(String productCode, String legacyCustomerKey) {
    return signalIfRunning(
        SubscriptionIds.workflowId(productCode, legacyCustomerKey),
        SubscriptionWorkflow.MIGRATE_SIGNAL);
  }

  /** Hands a subscription of the code before licenses to the account's workflow. */
  public WorkflowExecution handOver(
      String productCode, String awsAccountId, SubscriptionSnapshot legacyState) {
    SubscriptionWorkflow workflow =
        stub(productCode, awsAccountId, legacyState.customerIdentifier(), awsAccountId,
            legacyState.link(),
            "Started by the migration of the subscription keyed by its customer identifier");
    BatchRequest request = client.newSignalWithStartRequest();
    request.add(workflow::run, SubscriptionInput.fresh(productCode, awsAccountId));
    request.add(workflow::adopt, legacyState);
    return client.signalWithStart(request);
  }

  private boolean signalIfRunning(String workflowId, String signal, Object... args) {
    try {
      client.newUntypedWorkflowStub(workflowId).signal(signal, args);
      return true;
    } catch (WorkflowNotFoundException notRunning) {
      return false;
    }
  }

  /** Tells the subscription about the organization the onboarding linked. */
  public WorkflowExecution link(SubscriptionLink link) {
    SubscriptionWorkflow workflow =
        stub(link.productCode(), link.customerKey(), link.customerIdentifier(),
            link.awsAccountId(), link,
            "Started by the link of onboarding `" + link.onboardingId() + "`");
    BatchRequest request = client.newSignalWithStartRequest();
    request.add(workflow::run, SubscriptionInput.fresh(link.productCode(), link.customerKey()));
    request.add(workflow::link, link);
    return client.signalWithStart(request);
  }

  /** The subscription's view, or empty when there is no such subscription workflow. */
  public Optional<SubscriptionView> view(String productCode, String customerKey) {
    try {
      return Optional.of(
          client
              .newUntypedWorkflowStub(SubscriptionIds.workflowId(productCode, customerKey))
              .query("view", SubscriptionView.class));
    } catch (WorkflowNotFoundException notFound) {
      return Optional.empty();
    }
  }

  /**
   * What support sees first in the Temporal UI, fixed when the workflow starts (a signal to a
   * running one changes nothing, and a continue-as-new drops it): the product, the AWS account and
   * the organization when known then. The current details carry the status from there.
   */
  static String summary(String productCode, String awsAccountId, SubscriptionLink link) {
    return "AWS Marketplace subscription · product " + productCode
        + (awsAccountId == null ? "" : " · AWS account " + awsAccountId)
        + (link == null || link.organizationId() == null
            ? ""
            : " · organization "
                + (link.organizationName() == null ? "" : "\"" + link.organizationName() + "\" ")
                + "(" + link.organizationId() + ")");
  }

  private SubscriptionWorkflow stub(
      String productCode,
      String customerKey,
      String customerIdentifier,
      String awsAccountId,
      SubscriptionLink link,
      String startedBy) {
    var attributes =
        io.temporal.common.SearchAttributes.newBuilder()
            .set(SearchAttributes.SUBSCRIPTION_STATUS, SubscriptionStatus.PENDING.name())
            .set(SearchAttributes.MARKETPLACE_PRODUCT_CODE, productCode);
    if (customerIdentifier != null) {
      attributes.set(SearchAttributes.MARKETPLACE_CUSTOMER_ID, customerIdentifier);
    }
    if (awsAccountId != null) {
      attributes.set(SearchAttributes.MARKETPLACE_ACCOUNT_ID, awsAccountId);
    }
    // Allow-duplicate: if support ever terminated a subscription, the next input starts it again
    // (it finds its link in the database). A running one is always signalled, never restarted.
    WorkflowOptions options =
        WorkflowOptions.newBuilder()
            .setWorkflowId(SubscriptionIds.workflowId(productCode, customerKey))
            .setTaskQueue(taskQueue)
            .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
            .setTypedSearchAttributes(attributes.build())
            .setStaticSummary(summary(productCode, awsAccountId, link))
            .setStaticDetails(startedBy)
            .build();
    return client.newWorkflowStub(SubscriptionWorkflow.class, options);
  }
}

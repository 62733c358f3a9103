package io.mpconnect.e2e.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mpconnect.standins.metering.MeteringStandIn;
import io.mpconnect.workflows.messages.OnboardingStep;
import io.mpconnect.workflows.messages.OnboardingView;
import io.mpconnect.workflows.onboarding.OnboardingIds;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One AWS customer going through the journey the way a browser does, over plain HTTP against the
 * api process and the OIDC provider: POST the registration token, sign in (authorization code
 * with PKCE, the provider's login form), choose or create an organization. Every step rides out
 * an outage: it retries while the api answers 503 or Temporal is away, and treats "already
 * done" (the workflow moved on) as done, the way a person reloading the page would.
 */
public final class Customer {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration STEP_DEADLINE = Duration.ofMinutes(3);

  private final Stack stack;
  private final Browser browser;
  private final String awsAccountId;
  private final String token;
  private final String subject;
  private final String email;
  private String onboardingId;

  public Customer(Stack stack, String awsAccountId, String token, String subject) {
    this(stack, new Browser(stack.apiBase()), awsAccountId, token, subject);
  }

  /** A customer whose browser is {@code browser} (e.g. one behind a fleet's load balancer). */
  public Customer(Stack stack, Browser browser, String awsAccountId, String token,
      String subject) {
    this.stack = stack;
    this.browser = browser;
    this.awsAccountId = awsAccountId;
    this.token = token;
    this.subject = subject;
    this.email = subject + "@e2e.example";
  }

  /** A customer of our product with a fresh demo token (the stand-in resolves it). */
  public static Customer of(Stack stack, String awsAccountId, String subject) {
    // A legacy listing's customer: AWS names it by CustomerIdentifier in its SNS events.
    return new Customer(stack, awsAccountId, MeteringStandIn.newLegacyToken(awsAccountId), subject);
  }

  /** A fresh, unique 12-digit AWS account id. */
  public static String newAccountId() {
    return String.format("%012d", ThreadLocalRandom.current().nextLong(100_000_000_000L, 999_999_999_999L));
  }

  public Browser browser() {
    return browser;
  }

  public String awsAccountId() {
    return awsAccountId;
  }

  public String token() {
    return token;
  }

  public String subject() {
    return subject;
  }

  public String email() {
    return email;
  }

  public String onboardingId() {
    return onboardingId;
  }

  public String workflowId() {
    return OnboardingIds.workflowId(onboardingId);
  }

  /**
   * AWS's subscribe-success for this customer, injected the way support would (POST
   * /admin/marketplace/events, the body the SNS queue carries). The paid plan is activated only
   * after it; it may come before the registration or after the connect.
   */
  public Customer awsConfirmsSubscription() {
    String event = "{\"action\":\"subscribe-success\",\"customer-identifier\":"
        + quote(MeteringStandIn.demoCustomerIdentifier(awsAccountId)) + ",\"product-code\":"
        + quote(Stack.PRODUCT_CODE) + "}";
    retry("deliver subscribe-success", () -> {
      HttpResponse<String> response = browser.postJson("/admin/marketplace/events", event,
          Map.of("Authorization", "Bearer " + Stack.ADMIN_TOKEN));
      if (response.statusCode() == 400 || response.statusCode() == 401
          || response.statusCode() == 403) {
        throw new AssertionError("the event was refused: " + response.body());
      }
      return response.statusCode() == 202;
    });
    return this;
  }

  /** The journey of a customer of ours, start to end: subscribed, set up, signed in, connected. */
  public Customer connectNewOrganization(String name) {
    return awsConfirmsSubscription().register().signIn().createOrganization(name);
  }

  /** AWS's "Set up your account": POSTs the token; returns the onboarding id. Idempotent. */
  public Customer register() {
    retry("register", () -> {
      HttpResponse<String> response = browser.postForm("/marketplace/aws/register",
          Map.of("x-amzn-marketplace-token", token));
      if (response.statusCode() != 303) {
        return false;
      }
      String location = response.headers().firstValue("Location").orElseThrow();
      onboardingId = location.substring(location.lastIndexOf('/') + 1);
      return true;
    });
    return this;
  }

  /** The whole OIDC dance; done once the workflow holds the verified identity. */
  public Customer signIn() {
    retry("sign in", () -> signedIn() || oidcDance() || signedIn());
    return this;
  }

  /** The provider's login and the callback; true when the api answered the callback with 303. */
  private boolean oidcDance() {
    HttpResponse<String> login =
        browser.get("/auth/" + Stack.OIDC_PROVIDER + "/login?onboarding=" + onboardingId);
    if (login.statusCode() != 302) {
      return false;
    }
    String authorize = login.headers().firstValue("Location").orElseThrow();
    HttpResponse<String> posted = browser.postForm(authorize, Map.of(
        "username", subject,
        "claims", "{\"email\":\"" + email + "\",\"email_verified\":true,\"name\":\"E2E "
            + subject + "\"}"));
    if (posted.statusCode() != 302) {
      return false;
    }
    return browser.get(posted.headers().firstValue("Location").orElseThrow()).statusCode() == 303;
  }

  /** Starts the sign-in and returns without waiting for the workflow (an outage may hold it). */
  public boolean signedIn() {
    try {
      OnboardingView view = view();
      return view.user() != null || view.outcome() != null;
    } catch (RuntimeException unavailable) {
      return false;
    }
  }

  public Customer createOrganization(String name) {
    return choose("{\"newOrganizationName\":" + quote(name) + "}");
  }

  public Customer chooseOrganization(String organizationId) {
    return choose("{\"organizationId\":" + quote(organizationId) + "}");
  }

  private Customer choose(String body) {
    retry("choose an organization", () -> {
      if (choiceTaken()) {
        return true;
      }
      if (view().step() != OnboardingStep.AWAITING_ORGANIZATION) {
        return false; // still signing in (a retried activity, an outage): wait for the page
      }
      HttpResponse<String> page = browser.get("/api/onboardings/" + onboardingId);
      if (page.statusCode() == 404) {
        // This session never heard its sign-in completed (the answer was lost with an api that
        // stopped): as a person would on "Sign in to continue", sign in again (same identity).
        oidcDance();
        return false;
      }
      if (page.statusCode() != 200) {
        return false;
      }
      String csrf = json(page.body()).path("csrfToken").asText();
      HttpResponse<String> response = browser.postJson(
          "/api/onboardings/" + onboardingId + "/connect", body, Map.of("X-CSRF-Token", csrf));
      if (response.statusCode() == 200 || response.statusCode() == 202) {
        return true;
      }
      if (response.statusCode() == 422 && !choiceTaken()) {
        throw new AssertionError("the choice was refused: " + response.body());
      }
      return choiceTaken();
    });
    return this;
  }

  /** True once the workflow acted on a choice (it left AWAITING_ORGANIZATION) or ended. */
  private boolean choiceTaken() {
    try {
      OnboardingView view = view();
      return view.outcome() != null
          || view.step() == OnboardingStep.CONNECTING
          || view.step() == OnboardingStep.CONFIRMING
          || view.step() == OnboardingStep.DONE;
    } catch (RuntimeException unavailable) {
      return false;
    }
  }

  public OnboardingView view() {
    return stack.view(onboardingId);
  }

  public OnboardingView awaitStep(OnboardingStep step, Duration timeout) {
    Waits.until(workflowId() + " at " + step, timeout, () -> view().step() == step,
        () -> "last view: " + safeView());
    return view();
  }

  public String safeView() {
    try {
      OnboardingView view = view();
      return "step=" + view.step() + " outcome=" + view.outcome() + " message=" + view.message();
    } catch (RuntimeException e) {
      return "(no view: " + e.getClass().getSimpleName() + ")";
    }
  }

  private void retry(String what, Attempt attempt) {
    long deadline = System.nanoTime() + STEP_DEADLINE.toNanos();
    Throwable last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (attempt.run()) {
          return;
        }
      } catch (AssertionError e) {
        throw e;
      } catch (RuntimeException e) {
        last = e;
      }
      Waits.sleep(Duration.ofMillis(500 + ThreadLocalRandom.current().nextInt(500)));
    }
    throw new AssertionError(awsAccountId + " could not " + what + " within " + STEP_DEADLINE
        + (onboardingId == null ? "" : " (" + safeView() + ")"), last);
  }

  private interface Attempt {
    boolean run();
  }

  private static JsonNode json(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalStateException("not JSON: " + body, e);
    }
  }

  private static String quote(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "Customer[" + awsAccountId + ", " + (onboardingId == null ? "unregistered" : workflowId()) + "]";
  }
}

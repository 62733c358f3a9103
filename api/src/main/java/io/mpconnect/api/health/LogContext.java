package io.mpconnect.api.health;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.mpconnect.workflows.onboarding.OnboardingIds;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/**
 * Puts the workflow id of the onboarding a request is about into the logging MDC ({@code
 * WorkflowId}, the key the Temporal SDK uses on the worker), so the api's log lines about an
 * onboarding and the worker's can be found by one id. Only the id: the registration token and
 * the customer's e-mail address never reach a log.
 */
public final class LogContext {
  public static final String WORKFLOW_ID = "WorkflowId";
  private static final Pattern ONBOARDING_PATH =
      Pattern.compile("^/(?:signup|api/onboardings)/([^/]+)(?:/.*)?$");

  public static void install(Javalin app) {
    app.before(ctx -> {
      MDC.remove(WORKFLOW_ID);
      String onboarding = onboardingOf(ctx);
      if (onboarding != null) {
        MDC.put(WORKFLOW_ID, OnboardingIds.workflowId(onboarding));
      }
    });
    app.after(ctx -> MDC.remove(WORKFLOW_ID));
  }

  static String onboardingOf(Context ctx) {
    Matcher path = ONBOARDING_PATH.matcher(ctx.path());
    String candidate = path.matches() ? path.group(1) : ctx.queryParam("onboarding");
    return OnboardingIds.isWellFormed(candidate) ? candidate : null;
  }

  private LogContext() {}
}

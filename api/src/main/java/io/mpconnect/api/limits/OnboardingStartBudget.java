package io.mpconnect.api.limits;

import io.javalin.http.Context;
import io.mpconnect.api.web.Copy;
import io.mpconnect.api.web.Templates;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many new onboarding workflows this api process may start, all clients together: a token
 * bucket of this process's share of {@code ONBOARDING_STARTS_BURST}, refilled at its share of
 * {@code ONBOARDING_STARTS_PER_SECOND} (both divided by {@code API_REPLICAS}), so the api fleet
 * together starts no more than the configured budget.
 *
 * <p>Why here: a registration token can only be judged by AWS's ResolveCustomer, which the api
 * never calls; so every well-shaped token costs a workflow and one AWS call. Per-client limits stop
 * one source; this stops many sources (a botnet of invalid tokens) from turning into an unbounded
 * number of workflows and of ResolveCustomer calls that would eat the AWS quota real customers
 * need. Over budget the customer sees a "one moment" page (503 with Retry-After) with a button that
 * sends the same token again: AWS tokens stay valid for an hour or more.
 */
public final class OnboardingStartBudget {
  private static final Logger log = LoggerFactory.getLogger(OnboardingStartBudget.class);

  private final TokenBucket bucket;
  private final AtomicLong refused = new AtomicLong();

  OnboardingStartBudget(LimitSettings settings, LongSupplier nanoClock) {
    this.bucket = new TokenBucket(
        settings.processOnboardingStartsPerSecond(), settings.processOnboardingStartsBurst(),
        nanoClock);
  }

  /**
   * Takes one start from the budget. When there is none left, answers the request (503, Retry-After,
   * a page whose button POSTs {@code fieldName=value} to {@code path} again) and returns false.
   */
  public boolean admit(Context ctx, String path, String fieldName, String value) {
    long waitNanos = bucket.tryTake();
    if (waitNanos == 0) {
      return true;
    }
    long seconds = TokenBucket.retryAfterSeconds(waitNanos);
    long count = refused.incrementAndGet();
    if (count % 1000 == 1) {
      log.warn("onboarding start budget exhausted: {} registrations deferred so far", count);
    }
    ctx.header("Retry-After", Long.toString(seconds));
    // The page holds the customer's own token (to send it again): never cache it.
    ctx.header("Cache-Control", "no-store");
    Copy copy = Copy.english();
    Templates.respond(ctx, 503, "pages/start-budget.jte", Templates.params(
        "wait", seconds == 1 ? copy.plain("limits.seconds.one")
            : copy.plain("limits.seconds.many", seconds),
        "path", path, "fieldName", fieldName, "value", value));
    return false;
  }

  /** Registrations deferred because the budget was empty, since start. */
  public long refused() {
    return refused.get();
  }
}

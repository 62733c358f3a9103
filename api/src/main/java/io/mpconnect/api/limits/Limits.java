package io.mpconnect.api.limits;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.ContentTooLargeResponse;
import io.javalin.http.Context;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.eclipse.jetty.http.CookieCompliance;
import org.eclipse.jetty.servlet.FilterHolder;
import org.eclipse.jetty.util.BlockingArrayQueue;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Everything that keeps a hostile or overwhelming client from making the api hold unbounded memory,
 * threads or workflows (see docs/security-and-load.md):
 *
 * <ul>
 *   <li>bodies: a limit per route ({@link BodyLimits}), 413 before the body is read;
 *   <li>threads: Jetty's pool and its job queue are bounded ({@code API_MAX_THREADS}, {@code
 *       API_MAX_QUEUED_REQUESTS});
 *   <li>strangers: per-client rate limits on registration and sign-in, per-session ones on the
 *       onboarding's view, page and connect, 429 with Retry-After;
 *   <li>workflows: a global budget of onboarding starts per second ({@link OnboardingStartBudget}).
 * </ul>
 */
public final class Limits {
  static final String REGISTRATION_PATH = "/marketplace/aws/register";

  private final LimitSettings settings;
  private final BodyLimits bodyLimits = new BodyLimits();
  private final ClientRateLimiter rateLimiter;
  private final OnboardingStartBudget startBudget;

  public Limits(LimitSettings settings) {
    this(settings, System::nanoTime);
  }

  Limits(LimitSettings settings, LongSupplier nanoClock) {
    this.settings = settings;
    this.rateLimiter = ClientRateLimiter.of(settings, nanoClock);
    this.startBudget = new OnboardingStartBudget(settings, nanoClock);
  }

  /** Inside {@code Javalin.create}: body limits and the bounded thread pool. */
  public void configure(JavalinConfig config) {
    config.http.maxRequestSize = BodyLimits.LARGEST_BYTES;
    QueuedThreadPool pool = new QueuedThreadPool(
        settings.maxThreads(), Math.min(8, settings.maxThreads()), 60_000, -1,
        new BlockingArrayQueue<>(settings.maxQueuedRequests()), null);
    pool.setName("api-http");
    config.jetty.threadPool = pool;
    // A malformed cookie (another site's on the same domain, or a hostile one) is ignored, not
    // answered with Jetty's 400 page for the whole request.
    config.jetty.modifyHttpConfiguration(http ->
        http.setRequestCookieCompliance(CookieCompliance.from("RFC6265,INVALID_COOKIES")));
    config.jetty.modifyServletContextHandler(handler -> {
      handler.addFilter(new FilterHolder(new RequestBodyLimitFilter(bodyLimits)), "/*",
          EnumSet.of(DispatcherType.REQUEST));
      handler.setErrorHandler(new PlainErrorHandler());
    });
    config.jetty.modifyServer(server -> server.setErrorHandler(new PlainErrorHandler()));
  }

  /**
   * After the security headers, before any route: 413 for oversized bodies, then rate limits.
   *
   * @param sessionId the id of a request's valid signed session, if any (per-session limits)
   */
  public void install(Javalin app, Function<Context, Optional<String>> sessionId) {
    app.before(ctx -> {
      if (ctx.attribute(RequestBodyLimitFilter.TOO_LARGE) != null) {
        // The rest of the body is not read: close the connection rather than drain it.
        ctx.header("Connection", "close");
        throw new ContentTooLargeResponse();
      }
      rateLimiter.check(ctx, sessionId);
    });
  }

  public OnboardingStartBudget onboardingStarts() {
    return startBudget;
  }

  public LimitSettings settings() {
    return settings;
  }
}

package io.mpconnect.api.metering;

import io.javalin.Javalin;
import io.mpconnect.config.DatabaseSettings;
import io.temporal.client.WorkflowClient;
import java.time.Clock;

/**
 * Metering's HTTP side: usage intake ({@code POST /api/usage}) and the support endpoints
 * ({@code GET /admin/metering}, {@code POST /admin/metering/runs}).
 */
public final class MeteringRoutes {
  private final MeteringStore store;
  private final UsageIntakeRoutes intake;
  private final MeteringAdminRoutes admin;

  public MeteringRoutes(
      MeteringApiSettings settings,
      DatabaseSettings database,
      String adminToken,
      WorkflowClient client,
      String taskQueue,
      Clock clock) {
    this.store = new MeteringStore(database);
    this.intake = new UsageIntakeRoutes(store, settings, clock);
    this.admin = new MeteringAdminRoutes(store, settings, adminToken, client, taskQueue, clock);
  }

  /** Adds the routes, and closes the database pool when the server stops. */
  public void register(Javalin app) {
    intake.register(app);
    admin.register(app);
    app.events(events -> events.serverStopped(store::close));
  }
}

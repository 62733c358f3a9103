package io.mpconnect.api.openapi;

import io.javalin.Javalin;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /openapi.json}: the OpenAPI 3 description of the api, kept beside the code in
 * {@code src/main/resources/openapi.json}. {@code OpenApiContractTest} fails the build when a
 * route is missing from it or it describes a route that does not exist, and checks that it is
 * valid OpenAPI 3; the fuzzing test (e2e, schemathesis) checks live answers against it.
 */
public final class OpenApiRoutes {
  public static final String PATH = "/openapi.json";
  public static final String RESOURCE = "/openapi.json";

  private final byte[] document = load();

  public void register(Javalin app) {
    app.get(PATH, ctx -> ctx.contentType("application/json").header("Cache-Control", "no-cache")
        .result(document));
  }

  /** The document as served. */
  public static byte[] load() {
    try (InputStream in = OpenApiRoutes.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("openapi.json is missing from the api's classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

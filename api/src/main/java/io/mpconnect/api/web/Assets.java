package io.mpconnect.api.web;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The pages' stylesheet, scripts and icon, served from {@code /assets/} on the classpath. Each URL
 * carries a digest of the content ({@code ?v=...}), so browsers may keep a file for a year and a
 * new release is fetched at once. No front-end build: the files are served as written.
 */
public final class Assets {
  public static final String STYLESHEET = "mpconnect.css";
  public static final String SIGNUP_SCRIPT = "signup.js";
  public static final String FAVICON = "favicon.svg";
  public static final String REFRESH_SCRIPT = "refresh.js";

  private static final Map<String, Asset> ASSETS = Map.of(
      STYLESHEET, load(STYLESHEET, "text/css; charset=utf-8"),
      SIGNUP_SCRIPT, load(SIGNUP_SCRIPT, "text/javascript; charset=utf-8"),
      FAVICON, load(FAVICON, "image/svg+xml"),
      REFRESH_SCRIPT, load(REFRESH_SCRIPT, "text/javascript; charset=utf-8"));

  private record Asset(byte[] content, String contentType, String version) {}

  public static void register(Javalin app) {
    app.get("/assets/{name}", Assets::serve);
    // Browsers and tools ask for /favicon.ico whatever the page links (pages without a link,
    // PDFs, bookmarks): the one icon, not a 404 in every console.
    app.get("/favicon.ico", ctx -> ctx.redirect(url(FAVICON), HttpStatus.FOUND));
  }

  /** The versioned URL of an asset. */
  public static String url(String name) {
    Asset asset = ASSETS.get(name);
    if (asset == null) {
      throw new IllegalArgumentException("no asset " + name);
    }
    return "/assets/" + name + "?v=" + asset.version();
  }

  private static void serve(Context ctx) {
    Asset asset = ASSETS.get(ctx.pathParam("name"));
    if (asset == null) {
      ctx.status(404).contentType("text/plain; charset=utf-8").result("Not found.");
      return;
    }
    ctx.header("Cache-Control", asset.version().equals(ctx.queryParam("v"))
        ? "public, max-age=31536000, immutable"
        : "no-cache");
    ctx.contentType(asset.contentType()).result(asset.content());
  }

  private static Asset load(String name, String contentType) {
    try (InputStream in = Assets.class.getResourceAsStream("/assets/" + name)) {
      if (in == null) {
        throw new IllegalStateException("asset missing from the classpath: " + name);
      }
      byte[] content = in.readAllBytes();
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(content);
      return new Asset(content, contentType, HexFormat.of().formatHex(digest, 0, 6));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  private Assets() {}
}

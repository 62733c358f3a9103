package io.mpconnect.api.auth;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Where a console sign-in may return to: a path on this site, never another site. Only plain
 * path characters pass, so {@code //evil.example}, {@code /\evil.example}, schemes, queries and
 * encoded tricks are all refused rather than parsed.
 */
public final class ReturnPath {
  private static final Pattern SAFE = Pattern.compile("/(?![/\\\\])[A-Za-z0-9/_-]{0,200}");

  public static boolean isSafe(String path) {
    return path != null && SAFE.matcher(path).matches() && !path.contains("//");
  }

  /** The sign-in link of a provider that returns to {@code path} (which must be safe). */
  public static String loginUrl(String providerKey, String path) {
    if (!isSafe(path)) {
      throw new IllegalArgumentException("not a local path");
    }
    return "/auth/" + providerKey + "/login?next=" + URLEncoder.encode(path, StandardCharsets.UTF_8);
  }

  private ReturnPath() {}
}

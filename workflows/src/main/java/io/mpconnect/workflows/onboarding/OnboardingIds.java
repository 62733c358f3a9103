package io.mpconnect.workflows.onboarding;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Onboarding identifiers. The id is a hash of the registration token, so a double POST or a
 * refresh lands on the same workflow, and the token itself never appears in ids or URLs.
 */
public final class OnboardingIds {
  private static final String PREFIX = "onboarding-";

  /** 128 bits of SHA-256 over the token, in lowercase hex (32 characters). */
  public static String fromToken(String registrationToken) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(registrationToken.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  /** True for strings shaped like an onboarding id (so a URL cannot name anything else). */
  public static boolean isWellFormed(String onboardingId) {
    return onboardingId != null && onboardingId.matches("[0-9a-f]{32}");
  }

  public static String workflowId(String onboardingId) {
    return PREFIX + onboardingId;
  }

  private OnboardingIds() {}
}

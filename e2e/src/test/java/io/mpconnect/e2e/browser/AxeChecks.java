package io.mpconnect.e2e.browser;

import com.deque.html.axecore.playwright.AxeBuilder;
import com.deque.html.axecore.results.AxeResults;
import com.deque.html.axecore.results.CheckedNode;
import com.deque.html.axecore.results.Rule;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.ViewportSize;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * axe-core on a page as it is now, at desktop and at phone width. Every result goes into one
 * report, target/axe/report.md, rewritten after each check (a failing run still leaves it); each
 * page gets a one-line summary in the build output. Serious and critical violations of our own
 * pages are returned for the test to fail on; the development OIDC provider's login page (a
 * stand-in for Google and the like, not ours) is reported only.
 */
final class AxeChecks {
  /** Each test class writes its own report, so classes running side by side keep theirs. */
  private final Path report;
  static final int DESKTOP_WIDTH = 1280;
  static final int PHONE_WIDTH = 390;
  private static final List<String> IMPACTS = List.of("critical", "serious", "moderate", "minor");

  /** One page (or state) at one width. */
  record Result(String test, String page, int width, boolean asserted, Map<String, Integer> byImpact,
      List<String> violations) {
    int blocking() {
      return byImpact.getOrDefault("critical", 0) + byImpact.getOrDefault("serious", 0);
    }
  }

  private final List<Result> results = new ArrayList<>();
  private final Set<String> checkedOnce = new HashSet<>();

  /** True the first time only: a page that is the same in every test is checked once. */
  synchronized boolean firstCheckOf(String page) {
    return checkedOnce.add(page);
  }

  AxeChecks() {
    this("report.md");
  }

  AxeChecks(String reportFile) {
    report = Path.of("target", "axe", reportFile);
  }

  /**
   * Checks the page at both widths, then gives it back its own size.
   *
   * @return the serious and critical violations, one line each (empty when none or not asserted)
   */
  synchronized List<String> check(Page page, String test, String name, boolean asserted) {
    ViewportSize original = page.viewportSize();
    List<String> blocking = new ArrayList<>();
    List<String> line = new ArrayList<>();
    try {
      for (int width : List.of(DESKTOP_WIDTH, PHONE_WIDTH)) {
        page.setViewportSize(width, width == PHONE_WIDTH ? 844 : 820);
        Result result = analyze(page, test, name, width, asserted);
        results.add(result);
        line.add(width + "px " + IMPACTS.stream()
            .map(i -> result.byImpact().getOrDefault(i, 0) + " " + i)
            .collect(Collectors.joining(", ")));
        if (asserted && result.blocking() > 0) {
          result.violations().stream()
              .filter(v -> v.startsWith("critical") || v.startsWith("serious"))
              .forEach(v -> blocking.add(name + " at " + width + "px: " + v));
        }
      }
    } finally {
      if (original != null) {
        page.setViewportSize(original.width, original.height);
      }
    }
    System.out.println("axe " + name + (asserted ? "" : " (stand-in, not asserted)") + ": "
        + String.join("; ", line));
    write();
    return blocking;
  }

  private static Result analyze(Page page, String test, String name, int width, boolean asserted) {
    // Legacy mode runs axe in the page itself: no extra blank page per check (no frames here).
    AxeResults axe = new AxeBuilder(page).setLegacyMode(true).analyze();
    if (axe.isErrored()) {
      throw new AssertionError("axe could not check " + name + ": " + axe.getErrorMessage());
    }
    Map<String, Integer> byImpact = new TreeMap<>();
    List<String> violations = new ArrayList<>();
    for (Rule rule : axe.getViolations()) {
      String impact = rule.getImpact() == null ? "minor" : rule.getImpact().toLowerCase(Locale.ROOT);
      int nodes = rule.getNodes() == null ? 0 : rule.getNodes().size();
      byImpact.merge(impact, Math.max(1, nodes), Integer::sum);
      String where = rule.getNodes() == null ? "" : rule.getNodes().stream().limit(3)
          .map(CheckedNode::getTarget).map(String::valueOf).collect(Collectors.joining(", "));
      violations.add(impact + " " + rule.getId() + " (" + nodes + "): " + rule.getHelp()
          + (where.isEmpty() ? "" : " at " + where));
    }
    return new Result(test, name, width, asserted, byImpact, violations);
  }

  /** The whole report so far, as markdown. */
  synchronized void write() {
    StringBuilder out = new StringBuilder("# axe-core report of the browser tests\n\n")
        .append("Every page and state the browser tests visit, checked with axe-core at ")
        .append(DESKTOP_WIDTH).append(" and ").append(PHONE_WIDTH).append(" pixels wide. Counts")
        .append(" are elements per impact; serious and critical fail the tests (pages marked")
        .append(" stand-in are the development OIDC provider's, reported only).\n\n")
        .append("| test | page | width | critical | serious | moderate | minor |\n")
        .append("|---|---|---|---|---|---|---|\n");
    for (Result r : results) {
      out.append("| ").append(r.test()).append(" | ").append(r.page())
          .append(r.asserted() ? "" : " (stand-in)").append(" | ").append(r.width()).append(" |");
      for (String impact : IMPACTS) {
        out.append(' ').append(r.byImpact().getOrDefault(impact, 0)).append(" |");
      }
      out.append('\n');
    }
    long withViolations = results.stream().filter(r -> !r.violations().isEmpty()).count();
    out.append("\n## Violations\n\n");
    if (withViolations == 0) {
      out.append("None.\n");
    }
    for (Result r : results) {
      if (r.violations().isEmpty()) {
        continue;
      }
      out.append("- **").append(r.page()).append("** at ").append(r.width()).append("px:\n");
      for (String v : r.violations()) {
        out.append("  - ").append(v.replace("|", "\\|")).append('\n');
      }
    }
    try {
      Files.createDirectories(report.getParent());
      Files.writeString(report, out.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

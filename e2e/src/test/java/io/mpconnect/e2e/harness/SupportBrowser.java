package io.mpconnect.e2e.harness;

import com.microsoft.playwright.Page;
import io.mpconnect.workflows.shared.SearchAttributes;
import java.util.List;

/**
 * What support does in a browser before reading histories in the Temporal Web UI: sign in at the
 * api (OIDC, an e-mail on SUPPORT_EMAILS) and point the UI's Codec Server setting at the api's
 * codec, with cross-origin credentials so the session cookie goes along (payloads are encrypted;
 * without this the UI shows ciphertext).
 */
public final class SupportBrowser {
  /** Signs {@code page}'s browser context in as {@link Stack#SUPPORT_EMAIL}. */
  public static Page signIn(Page page, Stack stack) {
    page.navigate(stack.apiBase() + "/auth/" + Stack.OIDC_PROVIDER + "/login?next=/organizations");
    page.locator("input[name=username]").fill(Stack.SUPPORT_EMAIL);
    page.locator("form [type=submit]").first().click();
    page.waitForURL(url -> url.startsWith(stack.apiBase() + "/organizations"));
    return page;
  }

  /** The UI's own Codec Server setting in this browser (what support sets once in the UI). */
  public static Page codecConfigured(Page page, Stack stack) {
    page.navigate(stack.uiUrl() + "/namespaces/default/workflows");
    page.evaluate("endpoint => { localStorage.setItem('endpoint', JSON.stringify(endpoint));"
        + " localStorage.setItem('includeCredentials', 'true');"
        + " localStorage.setItem('passAccessToken', 'false');"
        + " localStorage.setItem('overrideRemoteCodecConfiguration', 'true'); }",
        stack.apiBase() + "/codec");
    return page;
  }

  /**
   * The list's columns as the runbook tells support to add them (Workflows, the column chooser):
   * step, outcome, subscription status, account and organization next to the defaults. The UI
   * keeps them per namespace in the browser's local storage; set here as a person's clicks would.
   */
  public static Page supportColumns(Page page, Stack stack) {
    page.navigate(stack.uiUrl() + "/namespaces/default/workflows");
    StringBuilder columns = new StringBuilder("[");
    for (String label : List.of("Status", "Workflow ID", "Type",
        SearchAttributes.ONBOARDING_STEP.getName(), SearchAttributes.ONBOARDING_OUTCOME.getName(),
        SearchAttributes.SUBSCRIPTION_STATUS.getName(),
        SearchAttributes.MARKETPLACE_ACCOUNT_ID.getName(),
        SearchAttributes.ORGANIZATION_ID.getName(), "Start", "End")) {
      columns.append(columns.length() > 1 ? "," : "")
          .append("{\"label\":\"").append(label).append("\",\"pinned\":")
          .append(label.equals("Status") || label.equals("Workflow ID")).append('}');
    }
    columns.append(']');
    page.evaluate("columns => localStorage.setItem('namespace-workflow-table-columns',"
        + " JSON.stringify({ default: JSON.parse(columns) }))", columns.toString());
    return page;
  }

  private SupportBrowser() {}
}

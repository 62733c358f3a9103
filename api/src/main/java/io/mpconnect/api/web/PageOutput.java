package io.mpconnect.api.web;

import gg.jte.TemplateOutput;
import gg.jte.html.OwaspHtmlTemplateOutput;
import java.util.Locale;

/**
 * jte's HTML output with the escaping the pages always had: {@code & < > " '} in text and in
 * attribute values alike ({@code &amp; &lt; &gt; &quot; &#39;}), so a page reads the same byte
 * for byte as before the templates (jte alone leaves {@code "} in text and {@code >} in
 * attributes, which is just as safe). Scripts' bodies and URL attributes holding a
 * {@code javascript:} URL stay with jte's own rules.
 */
final class PageOutput extends OwaspHtmlTemplateOutput {
  private final TemplateOutput out;
  private String tagName;
  private String attributeName;

  PageOutput(TemplateOutput out) {
    super(out);
    this.out = out;
  }

  @Override
  public void setContext(String tagName, String attributeName) {
    super.setContext(tagName, attributeName);
    this.tagName = tagName;
    this.attributeName = attributeName;
  }

  @Override
  public void writeUserContent(String value) {
    if (value == null) {
      return;
    }
    boolean scriptBody = attributeName == null && "script".equalsIgnoreCase(tagName);
    boolean scriptUrl = attributeName != null
        && value.strip().toLowerCase(Locale.ROOT).startsWith("javascript:");
    if (scriptBody || scriptUrl) {
      super.writeUserContent(value);
      return;
    }
    StringBuilder escaped = new StringBuilder(value.length() + 16);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '&' -> escaped.append("&amp;");
        case '<' -> escaped.append("&lt;");
        case '>' -> escaped.append("&gt;");
        case '"' -> escaped.append("&quot;");
        case '\'' -> escaped.append("&#39;");
        default -> escaped.append(c);
      }
    }
    out.writeContent(escaped.toString());
  }
}

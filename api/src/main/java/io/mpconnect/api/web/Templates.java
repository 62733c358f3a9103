package io.mpconnect.api.web;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.http.Context;
import java.util.HashMap;
import java.util.Map;

/**
 * The pages' templates (api/src/main/jte), compiled to classes at build time by jte-maven-plugin
 * and HTML-escaped by default: {@code ${value}} escapes, {@code $unsafe{...}} is for trusted HTML
 * only. Every template takes {@code Copy t} for its sentences.
 */
public final class Templates {
  private static final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

  /**
   * Parameters by name, in pairs ({@code "name", value, ...}); values may be null (which
   * {@link Map#of} would refuse). {@code t}, the copy, is added unless given.
   */
  public static Map<String, Object> params(Object... pairs) {
    Map<String, Object> params = new HashMap<>();
    params.put("t", Copy.english());
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      params.put((String) pairs[i], pairs[i + 1]);
    }
    return params;
  }

  public static String render(String template, Map<String, Object> params) {
    StringOutput out = new StringOutput(4096);
    engine.render(template, params, new PageOutput(out));
    return out.toString();
  }

  /** Answers the request with a page. */
  public static void respond(Context ctx, int status, String template, Map<String, Object> params) {
    ctx.status(status).contentType("text/html; charset=utf-8").result(render(template, params));
  }

  private Templates() {}
}

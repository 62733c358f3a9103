package io.mpconnect.api.limits;

import io.mpconnect.api.web.Copy;
import io.mpconnect.api.web.Templates;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Jetty's own error answers (a request Jetty refuses before the api sees it: a control character
 * in a header, a bad URI, headers too large) without Jetty's default page, which names the
 * exception and its causes. JSON under /api/, /admin/ and /health/ (as the api's own errors), a
 * short HTML page elsewhere; the status is Jetty's.
 */
final class PlainErrorHandler extends ErrorHandler {
  /** The bare page (pages/plain-error.jte) with the copy's {@code textKey}. */
  private static String page(String textKey) {
    return Templates.render("pages/plain-error.jte", Templates.params("textKey", textKey));
  }

  PlainErrorHandler() {
    setShowServlet(false);
    setShowStacks(false);
    setShowMessageInTitle(false);
  }

  @Override
  protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request,
      HttpServletResponse response, int code, String message) throws IOException {
    String path = request.getRequestURI() == null ? "" : request.getRequestURI();
    boolean json = path.startsWith("/api/") || path.startsWith("/admin/")
        || path.startsWith("/health/");
    String key = code == 431 ? "plainError.headersTooLarge"
        : code == 413 ? "plainError.tooLarge"
        : code >= 500 ? "plainError.server"
        : "plainError.other";
    byte[] body = (json
        ? "{\"message\":\"" + Copy.english().plain(key) + "\"}"
        : page(key)).getBytes(StandardCharsets.UTF_8);
    response.setContentType(json ? "application/json" : "text/html; charset=utf-8");
    response.setHeader("Cache-Control", "no-store");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
    baseRequest.setHandled(true);
  }

  /** A request Jetty could not even parse (no path known): the short page, without the reason. */
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(new HttpField(HttpHeader.CONTENT_TYPE, "text/html; charset=utf-8"));
    fields.put(new HttpField(HttpHeader.CACHE_CONTROL, "no-store"));
    return ByteBuffer.wrap(page(status == 431 ? "plainError.headersTooLarge" : "plainError.other")
        .getBytes(StandardCharsets.UTF_8));
  }
}

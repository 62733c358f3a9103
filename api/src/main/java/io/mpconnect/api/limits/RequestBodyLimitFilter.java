package io.mpconnect.api.limits;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Enforces {@link BodyLimits} before Javalin sees the request. A declared Content-Length over the
 * route's limit is marked (the api then answers 413 without reading a byte). A body without a
 * length (chunked) is read here, at most limit + 1 bytes: Javalin would otherwise read such a body
 * whole, whatever its size, because its own cap only looks at Content-Length.
 */
final class RequestBodyLimitFilter implements Filter {
  /** Request attribute set when the body is over the route's limit (value: the limit). */
  static final String TOO_LARGE = "mpconnect.bodyTooLarge";

  private final BodyLimits limits;

  RequestBodyLimitFilter(BodyLimits limits) {
    this.limits = limits;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest http = (HttpServletRequest) request;
    // The canonical path: /marketplace/aws/register/ must not get the larger default limit.
    int limit = limits.limitFor(http.getMethod(), RoutePaths.canonical(http.getRequestURI()));
    long declared = http.getContentLengthLong();
    if (declared > limit) {
      http.setAttribute(TOO_LARGE, limit);
      chain.doFilter(request, response);
      return;
    }
    if (declared < 0 && http.getHeader("Transfer-Encoding") != null) {
      byte[] body;
      try {
        body = readAtMost(http.getInputStream(), limit + 1);
      } catch (IOException | RuntimeException badFraming) {
        // Broken chunked framing, or the client went away: a bad request, not a server error.
        ((HttpServletResponse) response).sendError(400);
        return;
      }
      if (body.length > limit) {
        http.setAttribute(TOO_LARGE, limit);
        chain.doFilter(request, response);
        return;
      }
      chain.doFilter(new BufferedBody(http, body), response);
      return;
    }
    chain.doFilter(request, response);
  }

  private static byte[] readAtMost(InputStream in, int max) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(max, 8192));
    byte[] buffer = new byte[8192];
    int total = 0;
    while (total < max) {
      int n = in.read(buffer, 0, Math.min(buffer.length, max - total));
      if (n < 0) {
        break;
      }
      out.write(buffer, 0, n);
      total += n;
    }
    return out.toByteArray();
  }

  /** The request with its (already read, bounded) body in memory and an exact length. */
  private static final class BufferedBody extends HttpServletRequestWrapper {
    private final byte[] body;

    BufferedBody(HttpServletRequest request, byte[] body) {
      super(request);
      this.body = body;
    }

    @Override
    public int getContentLength() {
      return body.length;
    }

    @Override
    public long getContentLengthLong() {
      return body.length;
    }

    @Override
    public ServletInputStream getInputStream() {
      ByteArrayInputStream in = new ByteArrayInputStream(body);
      return new ServletInputStream() {
        @Override
        public int read() {
          return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
          return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
          return in.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new UnsupportedOperationException("the body is already in memory");
        }
      };
    }

    @Override
    public BufferedReader getReader() {
      String encoding = getCharacterEncoding();
      Charset charset = StandardCharsets.UTF_8;
      try {
        if (encoding != null) {
          charset = Charset.forName(encoding);
        }
      } catch (RuntimeException unknown) {
        // keep UTF-8
      }
      return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), charset));
    }
  }
}

package io.mpconnect.api.registration;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A strict application/x-www-form-urlencoded parser. The servlet container's parser silently
 * repairs bad percent-escapes and invalid UTF-8; a token mangled that way would resolve to a
 * different token, so here it is an error instead.
 */
final class FormBody {
  static final class MalformedFormException extends Exception {
    MalformedFormException(String message) {
      super(message);
    }
  }

  /** The fields, first occurrence wins. */
  static Map<String, String> parse(byte[] body) throws MalformedFormException {
    Map<String, String> fields = new LinkedHashMap<>();
    int start = 0;
    for (int i = 0; i <= body.length; i++) {
      if (i == body.length || body[i] == '&') {
        if (i > start) {
          int eq = indexOf(body, (byte) '=', start, i);
          String name = decode(body, start, eq < 0 ? i : eq);
          String value = eq < 0 ? "" : decode(body, eq + 1, i);
          fields.putIfAbsent(name, value);
        }
        start = i + 1;
      }
    }
    return fields;
  }

  private static String decode(byte[] body, int from, int to) throws MalformedFormException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(to - from);
    for (int i = from; i < to; i++) {
      byte b = body[i];
      if (b == '+') {
        bytes.write(' ');
      } else if (b == '%') {
        if (i + 2 >= to) {
          throw new MalformedFormException("truncated percent-escape");
        }
        int high = Character.digit(body[i + 1], 16);
        int low = Character.digit(body[i + 2], 16);
        if (high < 0 || low < 0) {
          throw new MalformedFormException("bad percent-escape");
        }
        bytes.write(high * 16 + low);
        i += 2;
      } else if (b < 0x20 || b > 0x7e) {
        throw new MalformedFormException("raw byte outside printable ASCII");
      } else {
        bytes.write(b);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedFormException("not UTF-8");
    }
  }

  private static int indexOf(byte[] body, byte b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (body[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private FormBody() {}
}

package io.mpconnect.api.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FormBodyTest {
  @Test
  void decodesPercentEscapesAndPlusAndKeepsTheFirstOccurrence() throws Exception {
    assertThat(FormBody.parse("a=x%2By+z&b=&c&a=second".getBytes()))
        .containsEntry("a", "x+y z").containsEntry("b", "").containsEntry("c", "").hasSize(3);
  }

  @Test
  void refusesBadEscapesInvalidUtf8AndRawBytes() {
    assertThatThrownBy(() -> FormBody.parse("a=%ZZ".getBytes()))
        .isInstanceOf(FormBody.MalformedFormException.class);
    assertThatThrownBy(() -> FormBody.parse("a=%F".getBytes()))
        .isInstanceOf(FormBody.MalformedFormException.class);
    assertThatThrownBy(() -> FormBody.parse("a=%FF".getBytes()))
        .isInstanceOf(FormBody.MalformedFormException.class);
    assertThatThrownBy(() -> FormBody.parse(new byte[] {'a', '=', (byte) 0xC3, (byte) 0xA9}))
        .isInstanceOf(FormBody.MalformedFormException.class);
  }

  @Test
  void tokensMustBeVisibleAsciiAndAtMost4096Characters() {
    assertThat(RegistrationTokens.problemWith("abc+/=XYZ-_.")).isNull();
    assertThat(RegistrationTokens.problemWith("a".repeat(4096))).isNull();
    assertThat(RegistrationTokens.problemWith("a".repeat(4097)))
        .isEqualTo(RegistrationTokens.Problem.TOO_LONG);
    assertThat(RegistrationTokens.problemWith(" ")).isEqualTo(RegistrationTokens.Problem.MISSING);
    assertThat(RegistrationTokens.problemWith("a b")).isEqualTo(RegistrationTokens.Problem.NOT_PRINTABLE);
    assertThat(RegistrationTokens.problemWith("ab\u00e9")).isEqualTo(RegistrationTokens.Problem.NOT_PRINTABLE);
    assertThat(RegistrationTokens.offerType("free-trial")).isEqualTo("free-trial");
    assertThat(RegistrationTokens.offerType("<script>")).isNull();
  }
}

package io.mpconnect.activities.notifications;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpconnect.config.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MailSendersTest {
  @Test
  void theLinksInTheMailsUseTheApisPublicAddress_asTheApiDefaultsIt() {
    assertThat(MailSenders.publicBaseUrl(new Env(Map.of()))).isEqualTo("http://127.0.0.1:8080");
    assertThat(MailSenders.publicBaseUrl(new Env(Map.of("API_PORT", "9000"))))
        .isEqualTo("http://127.0.0.1:9000");
    assertThat(
            MailSenders.publicBaseUrl(
                new Env(Map.of("PUBLIC_BASE_URL", "https://signup.vendor.test/"))))
        .isEqualTo("https://signup.vendor.test");
    assertThatThrownBy(
            () -> MailSenders.publicBaseUrl(new Env(Map.of("PUBLIC_BASE_URL", "signup.test"))))
        .isInstanceOf(Env.ConfigException.class)
        .hasMessage("PUBLIC_BASE_URL must be an http or https URL");
  }

  @Test
  void withoutSmtpHost_mailIsOnlyLogged_inTheDefaultVendorName() {
    MailSender sender = MailSenders.from(new Env(Map.of()));

    assertThat(sender).isInstanceOf(LoggingMailSender.class);
    assertThat(sender.vendorName()).isEqualTo("our product");
  }

  @Test
  void withSmtpHost_mailGoesBySmtp_onPort587WithStartTls() {
    Env env =
        new Env(
            Map.of(
                "SMTP_HOST",
                "smtp.vendor.test",
                "SMTP_FROM",
                "billing@vendor.test",
                "VENDOR_NAME",
                "Acme"));

    assertThat(MailSenders.from(env)).isInstanceOf(SmtpMailSender.class);
    assertThat(MailSenders.from(env).vendorName()).isEqualTo("Acme");
    assertThat(SmtpSettings.from(env))
        .satisfies(
            s -> {
              assertThat(s.port()).isEqualTo(587);
              assertThat(s.startTls()).isTrue();
            });
  }

  @Test
  void smtpHostWithoutFrom_orUserWithoutPassword_failsStartUpNamingTheVariable() {
    assertThatThrownBy(() -> MailSenders.from(new Env(Map.of("SMTP_HOST", "smtp.vendor.test"))))
        .isInstanceOf(Env.ConfigException.class)
        .hasMessageContaining("SMTP_FROM");
    assertThatThrownBy(
            () ->
                MailSenders.from(
                    new Env(
                        Map.of("SMTP_HOST", "h", "SMTP_FROM", "f@vendor.test", "SMTP_USER", "u"))))
        .hasMessageContaining("SMTP_PASSWORD");
  }

  @Test
  void settingsAndEmails_printNoSecretsOrAddresses() {
    SmtpSettings settings = new SmtpSettings("h", 587, "user", "s3cret", "from@vendor.test", true);
    OutgoingEmail email =
        new OutgoingEmail("owner@example.com", "subject", "text", "confirmation for X");

    assertThat(settings.toString()).doesNotContain("s3cret");
    assertThat(email.toString()).doesNotContain("owner@example.com").contains("confirmation for X");
  }

  @Test
  void confirmationText_namesOrganizationAccountVendorAndNextSteps() {
    OutgoingEmail email =
        ConfirmationEmail.render(
            "Demo SaaS",
            "owner@example.com",
            null,
            Map.of(
                "organizationName",
                "Acme\r\nBcc: evil",
                "organizationId",
                "id-1",
                "awsAccountId",
                "123456789012"));

    assertThat(email.subject()).doesNotContain("\n").contains("Acme Bcc: evil");
    assertThat(email.text())
        .startsWith("Hello,")
        .contains(
            "in Demo SaaS is now connected to AWS Marketplace through AWS account 123456789012")
        .contains("Next steps:")
        .contains("The Demo SaaS team");
    assertThat(email.summary()).doesNotContain("@");
  }

  @Test
  void confirmationText_saysWhenAwsHasNotConfirmedYet() {
    OutgoingEmail email =
        ConfirmationEmail.render(
            "Demo SaaS",
            "owner@example.com",
            "Olivia",
            Map.of(
                "organizationName", "Acme",
                "organizationId", "id-1",
                "awsAccountId", "123456789012",
                "subscriptionStatus", "PENDING"));

    assertThat(email.text())
        .contains("has not confirmed the subscription yet")
        .contains("stays on the free Starter plan")
        .doesNotContain("now runs through AWS Marketplace");
  }
}

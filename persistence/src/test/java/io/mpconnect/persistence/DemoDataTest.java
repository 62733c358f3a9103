package io.mpconnect.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DemoDataTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  private static final String ISSUER = "http://127.0.0.1:9999/dev";

  @Test
  void seedTwice_givesSameUsers_andOneOfEachKindOfOrganization() {
    DemoData.Seeded first = DemoData.seed(postgres.jdbi(), ISSUER);
    DemoData.Seeded second = DemoData.seed(postgres.jdbi(), ISSUER);

    assertThat(second).isEqualTo(first);
    assertThat(new UserRepository(postgres.jdbi()).findByIdentity(ISSUER, DemoData.OWNER_EMAIL))
        .hasValueSatisfying(u -> assertThat(u.id()).isEqualTo(first.ownerUserId()));
    assertThat(new MembershipRepository(postgres.jdbi()).organizationsOf(first.ownerUserId()))
        .extracting(UserOrganization::name, UserOrganization::plan, UserOrganization::role)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("Acme Analytics", Plan.STARTER, Role.OWNER),
            org.assertj.core.groups.Tuple.tuple("Acme Enterprise", Plan.STANDARD, Role.OWNER),
            org.assertj.core.groups.Tuple.tuple("Globex Research", Plan.STARTER, Role.MEMBER));
    assertThat(
            new MembershipRepository(postgres.jdbi())
                .roleOf(DemoData.GLOBEX_RESEARCH, first.otherUserId()))
        .contains(Role.OWNER);
  }
}

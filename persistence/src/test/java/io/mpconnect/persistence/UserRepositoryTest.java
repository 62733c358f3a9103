package io.mpconnect.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class UserRepositoryTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  private final UserRepository users = new UserRepository(postgres.jdbi());

  @Test
  void signInTwice_withSameIdentity_makesOneUser() {
    User first = users.signIn("https://idp.test", "sub-1", "ann@example.com", "Ann");
    User second = users.signIn("https://idp.test", "sub-1", "ann@example.com", "Ann");

    assertThat(second.id()).isEqualTo(first.id());
    assertThat(countUsersWithIdentity("sub-1")).isEqualTo(1);
  }

  @Test
  void signIn_storesChangedProfile_andNullNeverErases() {
    User created = users.signIn("https://idp.test", "sub-2", "old@example.com", "Old Name");

    users.signIn("https://idp.test", "sub-2", "new@example.com", null);

    User reread = users.findByIdentity("https://idp.test", "sub-2").orElseThrow();
    assertThat(reread.id()).isEqualTo(created.id());
    assertThat(reread.email()).isEqualTo("new@example.com");
    assertThat(reread.displayName()).isEqualTo("Old Name");
  }

  @Test
  void sameSubject_atAnotherIssuer_isAnotherUser() {
    User a = users.signIn("https://idp-a.test", "shared", null, null);
    User b = users.signIn("https://idp-b.test", "shared", null, null);

    assertThat(a.id()).isNotEqualTo(b.id());
  }

  @Test
  void firstSignIn_racingAnotherFirstSignIn_adoptsTheWinnersUser() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Handle winner = postgres.jdbi().open()) {
      // The winner has claimed the identity but not committed: the racer must wait, then adopt.
      winner.begin();
      UUID winnerId =
          winner
              .createQuery("INSERT INTO users (display_name) VALUES ('Racer') RETURNING id")
              .mapTo(UUID.class)
              .one();
      winner.execute(
          "INSERT INTO user_identities (issuer, subject, user_id) VALUES ('https://idp.test',"
              + " 'racer', ?)",
          winnerId);

      Future<User> racer =
          pool.submit(() -> users.signIn("https://idp.test", "racer", null, "Racer"));
      Waits.untilSomeoneWaitsForALock(postgres.jdbi());
      winner.commit();

      assertThat(racer.get(10, TimeUnit.SECONDS).id()).isEqualTo(winnerId);
    } finally {
      pool.shutdownNow();
    }
    assertThat(
            TestSql.count(
                postgres.jdbi(), "SELECT count(*) FROM users WHERE display_name = 'Racer'"))
        .as("the racer's provisional user is gone")
        .isEqualTo(1);
  }

  private int countUsersWithIdentity(String subject) {
    return postgres
        .jdbi()
        .withHandle(
            h ->
                h.createQuery("SELECT count(*) FROM user_identities WHERE subject = :s")
                    .bind("s", subject)
                    .mapTo(Integer.class)
                    .one());
  }
}

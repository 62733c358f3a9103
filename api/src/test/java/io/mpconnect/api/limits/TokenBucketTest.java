package io.mpconnect.api.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private final AtomicLong now = new AtomicLong();

  @Test
  void givenAFullBucket_itAllowsTheBurstThenTellsHowLongToWait() {
    TokenBucket bucket = new TokenBucket(0.5, 3, now::get);

    assertThat(bucket.tryTake()).isZero();
    assertThat(bucket.tryTake()).isZero();
    assertThat(bucket.tryTake()).isZero();
    long wait = bucket.tryTake();

    assertThat(wait).isEqualTo(2_000_000_000L);
    assertThat(TokenBucket.retryAfterSeconds(wait)).isEqualTo(2);
  }

  @Test
  void givenTimePasses_itRefillsAtTheRateAndNeverBeyondTheBurst() {
    TokenBucket bucket = new TokenBucket(1, 2, now::get);
    bucket.tryTake();
    bucket.tryTake();

    now.addAndGet(1_000_000_000L);
    assertThat(bucket.tryTake()).isZero();
    assertThat(bucket.tryTake()).isPositive();

    now.addAndGet(3_600_000_000_000L);
    assertThat(bucket.isFull()).isTrue();
    assertThat(bucket.tryTake()).isZero();
    assertThat(bucket.tryTake()).isZero();
    assertThat(bucket.tryTake()).isPositive();
  }

  @Test
  void retryAfterIsAtLeastOneWholeSecond() {
    assertThat(TokenBucket.retryAfterSeconds(1)).isEqualTo(1);
    assertThat(TokenBucket.retryAfterSeconds(1_000_000_001L)).isEqualTo(2);
  }
}

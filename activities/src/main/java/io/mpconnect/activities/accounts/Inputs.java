package io.mpconnect.activities.accounts;

import io.mpconnect.workflows.activities.FailureTypes;
import io.mpconnect.workflows.messages.ResolvedCustomer;
import io.temporal.failure.ApplicationFailure;
import java.sql.SQLException;
import java.util.UUID;

/** Input checks whose failure no retry can fix: they end the call with INVALID_INPUT. */
final class Inputs {
  static UUID uuid(String value, String what) {
    if (value == null || value.isBlank()) {
      throw invalid("The " + what + " is missing.");
    }
    try {
      return UUID.fromString(value.strip());
    } catch (IllegalArgumentException e) {
      throw invalid("The " + what + " \"" + value + "\" is not a valid id.");
    }
  }

  static String required(String value, String what) {
    if (value == null || value.isBlank()) {
      throw invalid("The " + what + " is missing.");
    }
    return value.strip();
  }

  static ResolvedCustomer customer(ResolvedCustomer customer) {
    if (customer == null) {
      throw invalid("The marketplace customer is missing.");
    }
    required(customer.productCode(), "product code");
    required(customer.awsAccountId(), "AWS account id");
    return customer;
  }

  static ApplicationFailure invalid(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, FailureTypes.INVALID_INPUT);
  }

  /** True when PostgreSQL refused a write for a unique constraint (SQL state 23505). */
  static boolean isUniqueViolation(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  private Inputs() {}
}

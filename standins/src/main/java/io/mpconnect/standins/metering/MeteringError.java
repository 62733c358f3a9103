package io.mpconnect.standins.metering;

/** A JSON 1.1 error reply: its {@code __type} names the exception the SDK throws. */
final class MeteringError extends RuntimeException {
  final String type;

  MeteringError(String type, String message) {
    super(message, null, false, false);
    this.type = type;
  }

  /** AWS answers server faults with 500 and everything else, throttling included, with 400. */
  int status() {
    boolean serverFault =
        type.equals("InternalServiceErrorException") || type.equals("ServiceUnavailableException");
    return serverFault ? 500 : 400;
  }
}

package io.mpconnect.workflows.metering;

/** What a sending pass (or one of its pages) has done so far, in workflow code. */
final class PassTally {
  private SendProgress progress = SendProgress.NONE;
  private String error;
  private boolean stopped;

  void add(SendProgress more) {
    progress = progress.plus(more);
  }

  /** The first failure stands; {@code final} when no retry can cure it (configuration). */
  void fail(String why, boolean noRetryCures) {
    error = error != null ? error : why;
    stopped |= noRetryCures;
  }

  boolean failed() {
    return error != null;
  }

  BatchPassResult result(BatchCursor next) {
    return new BatchPassResult(progress, error == null ? next : null, error, stopped);
  }
}

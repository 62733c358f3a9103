package io.mpconnect.workflows.metering;

import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Promise;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Workflow code's bounded fan-out: starts the waiting work a few at a time, in order, and hands
 * each completed promise to {@code done}, which may queue more work; once {@code stop} says so it
 * starts nothing new and waits for what is running. Deterministic: starts and completions are
 * handled in the order they were started.
 */
final class InFlight {
  static <I, R> void run(
      Deque<I> waiting,
      int atOnce,
      Function<I, Promise<R>> start,
      BooleanSupplier stop,
      BiConsumer<I, Promise<R>> done) {
    List<I> inputs = new ArrayList<>();
    List<Promise<R>> running = new ArrayList<>();
    while (!waiting.isEmpty() || !running.isEmpty()) {
      while (!stop.getAsBoolean() && !waiting.isEmpty() && running.size() < atOnce) {
        I input = waiting.poll();
        inputs.add(input);
        running.add(start.apply(input));
      }
      if (running.isEmpty()) {
        return; // stopped: what is waiting is left
      }
      try {
        Promise.anyOf(running).get();
      } catch (TemporalFailure ignored) {
        // handed to done below, with every other completed promise
      }
      Iterator<I> in = inputs.iterator();
      for (Iterator<Promise<R>> it = running.iterator(); it.hasNext(); ) {
        Promise<R> promise = it.next();
        I input = in.next();
        if (promise.isCompleted()) {
          it.remove();
          in.remove();
          done.accept(input, promise);
        }
      }
    }
  }

  private InFlight() {}
}

package io.mpconnect.e2e.harness;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test class that must have the machine to itself: it measures wall-clock bounds (an exit within
 * 10 s of SIGTERM), loads both cores on its own (the fleet), or counts what every process of the
 * test JVM listens on. The other end-to-end classes run two at a time, in two test JVMs (most of
 * them wait for outages, timeouts and restarts rather than compute); these run afterwards, one
 * after the other, in a surefire execution of their own (e2e/pom.xml, tag {@value #TAG}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(RunsAlone.TAG)
public @interface RunsAlone {
  String TAG = "alone";
}

package io.mpconnect.config;

import java.net.HttpURLConnection;
import java.net.URI;

/**
 * The container health check of the api's and the worker's images, which have no shell and no
 * curl: {@code java -cp @/app/jib-classpath-file io.mpconnect.config.HealthProbe <url>} exits 0
 * when the URL answers 200 within 3 seconds, 1 otherwise (docker-compose.yml's healthchecks).
 */
public final class HealthProbe {
  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: HealthProbe <url>");
      System.exit(2);
    }
    int status;
    try {
      HttpURLConnection connection = (HttpURLConnection) URI.create(args[0]).toURL().openConnection();
      connection.setConnectTimeout(3000);
      connection.setReadTimeout(3000);
      status = connection.getResponseCode();
      connection.disconnect();
    } catch (Exception e) {
      System.err.println(args[0] + ": " + e);
      System.exit(1);
      return;
    }
    if (status != 200) {
      System.err.println(args[0] + " answered " + status);
    }
    System.exit(status == 200 ? 0 : 1);
  }

  private HealthProbe() {}
}

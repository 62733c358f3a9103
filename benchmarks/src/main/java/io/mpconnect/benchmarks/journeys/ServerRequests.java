package io.mpconnect.benchmarks.journeys;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the Temporal server was asked to do, from its own Prometheus counters: the calls its
 * frontend served (by gRPC method) and the writes and reads its persistence made, in namespace
 * {@code default}. A snapshot before and after a phase, divided by the workflows it ran, says what
 * one journey costs the server, beside what one floor workflow does.
 */
final class ServerRequests {
  private static final Pattern SAMPLE = Pattern.compile(
      "^(service_requests|persistence_requests)\\{([^}]*)} ([0-9.eE+]+)$");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** "rpc Method" or "db Operation" to its count. */
  final Map<String, Double> counts;

  private ServerRequests(Map<String, Double> counts) {
    this.counts = counts;
  }

  static ServerRequests scrape(int metricsPort) {
    try {
      HttpResponse<String> response = HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
              .timeout(Duration.ofSeconds(10)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return parse(response.body());
    } catch (IOException e) {
      System.err.println("[bench] the Temporal server's metrics did not answer: " + e);
      return new ServerRequests(Map.of());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new ServerRequests(Map.of());
    }
  }

  static ServerRequests parse(String metrics) {
    Map<String, Double> counts = new TreeMap<>();
    for (String line : metrics.split("\n")) {
      Matcher sample = SAMPLE.matcher(line);
      if (!sample.matches()) {
        continue;
      }
      Map<String, String> labels = new TreeMap<>();
      Matcher label = LABEL.matcher(sample.group(2));
      while (label.find()) {
        labels.put(label.group(1), label.group(2));
      }
      if (!"default".equals(labels.get("namespace"))) {
        continue;
      }
      boolean rpc = sample.group(1).equals("service_requests");
      // Each call is counted by every service it passes; the frontend's count is the client's.
      if (rpc && !"frontend".equals(labels.get("service_name"))) {
        continue;
      }
      String key = (rpc ? "rpc " : "db ") + labels.getOrDefault("operation", "?");
      counts.merge(key, Double.parseDouble(sample.group(3)), Double::sum);
    }
    return new ServerRequests(counts);
  }

  ServerRequests minus(ServerRequests earlier) {
    Map<String, Double> diff = new TreeMap<>();
    counts.forEach((key, value) -> {
      double delta = value - earlier.counts.getOrDefault(key, 0.0);
      if (delta > 0) {
        diff.put(key, delta);
      }
    });
    return new ServerRequests(diff);
  }

  ServerRequests plus(ServerRequests other) {
    Map<String, Double> sum = new TreeMap<>(counts);
    other.counts.forEach((key, value) -> sum.merge(key, value, Double::sum));
    return new ServerRequests(sum);
  }

  double total(String kind) {
    return counts.entrySet().stream().filter(e -> e.getKey().startsWith(kind + " "))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  /** Per journey beside per floor workflow, the larger first; rows under 0.05 of both left out. */
  static String table(ServerRequests ours, int journeys, ServerRequests floor, int floors) {
    TreeMap<String, double[]> rows = new TreeMap<>();
    ours.counts.forEach((k, v) -> rows.computeIfAbsent(k, x -> new double[2])[0] = v / journeys);
    floor.counts.forEach((k, v) -> rows.computeIfAbsent(k, x -> new double[2])[1] = v / floors);
    List<String[]> lines = new ArrayList<>();
    lines.add(new String[] {"server call", "per journey", "per floor workflow"});
    for (String kind : List.of("rpc", "db")) {
      lines.add(new String[] {kind.equals("rpc") ? "gRPC calls, all" : "persistence, all",
          String.format(java.util.Locale.ROOT, "%.1f", ours.total(kind) / journeys),
          String.format(java.util.Locale.ROOT, "%.1f", floor.total(kind) / floors)});
      rows.entrySet().stream()
          .filter(e -> e.getKey().startsWith(kind + " "))
          .filter(e -> e.getValue()[0] >= 0.05 || e.getValue()[1] >= 0.05)
          .sorted((x, y) -> Double.compare(y.getValue()[0], x.getValue()[0]))
          .forEach(e -> lines.add(new String[] {"  " + e.getKey().substring(kind.length() + 1),
              String.format(java.util.Locale.ROOT, "%.2f", e.getValue()[0]),
              String.format(java.util.Locale.ROOT, "%.2f", e.getValue()[1])}));
    }
    return Bench.table("What the Temporal server did per journey and per floor workflow (its"
        + " own counters, namespace default; long polls count once each)", lines);
  }
}

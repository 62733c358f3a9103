#!/usr/bin/env python3
"""Where the CPU samples of a JFR recording go, by part of the product and by library.

Usage: jfr print --json --events jdk.ExecutionSample rec.jfr | benchmarks/jfr-breakdown.py
(`jfr` of JDK 17 or later). Each sample counts once, for the innermost frame of ours or of a
library we know (the first match walking from the top of the stack), and for its thread's part.
"""
import collections
import json
import sys

# Innermost match wins: the order only matters for prefixes of each other.
LIBRARIES = [
    ("io.mpconnect.api.", "api (our code)"),
    ("io.mpconnect.activities.", "activities (our code)"),
    ("io.mpconnect.workflows.", "workflows (our code)"),
    ("io.mpconnect.worker.", "worker (our code)"),
    ("io.mpconnect.persistence.", "persistence (our code)"),
    ("io.mpconnect.standins.", "stand-ins (AWS, OIDC)"),
    ("io.mpconnect.benchmarks.", "benchmark clients"),
    ("gg.jte.", "jte templates"),
    ("com.nimbusds.", "Nimbus OIDC/JOSE"),
    ("no.nav.security.", "OIDC stand-in (mock-oauth2-server)"),
    ("org.apache.pekko.", "SQS stand-in (ElasticMQ/Pekko)"),
    ("org.elasticmq.", "SQS stand-in (ElasticMQ/Pekko)"),
    ("software.amazon.", "AWS SDK"),
    ("org.jdbi.", "JDBC (Jdbi, pgjdbc, Hikari)"),
    ("org.postgresql.", "JDBC (Jdbi, pgjdbc, Hikari)"),
    ("com.zaxxer.", "JDBC (Jdbi, pgjdbc, Hikari)"),
    ("com.fasterxml.jackson.", "Jackson JSON"),
    ("io.temporal.", "Temporal SDK"),
    ("com.google.protobuf.", "protobuf"),
    ("io.grpc.", "gRPC/Netty"),
    ("io.netty.", "Netty"),
    ("org.eclipse.jetty.", "Jetty"),
    ("io.javalin.", "Javalin"),
    ("java.net.http.", "JDK HTTP client"),
    ("jdk.internal.net.http.", "JDK HTTP client"),
    ("sun.security.", "JDK crypto/TLS"),
    ("javax.crypto.", "JDK crypto/TLS"),
    ("com.sun.crypto.", "JDK crypto/TLS"),
    ("java.util.zip.", "JDK zip (class and resource loading)"),
    ("jdk.internal.loader.", "JDK class loading"),
    ("ch.qos.logback.", "logging"),
    ("org.slf4j.", "logging"),
    ("io.micrometer.", "metrics"),
]


def part_of(thread):
    if thread.startswith("api-http"):
        return "api"
    if "bench-floor" in thread or "floor-" in thread:
        return "floor worker"
    if ("taskQueue=" in thread or thread.startswith(("workflow-", "Workflow", "Activity",
                                                      "Local Activity", "outbox",
                                                      "lifecycle-events"))):
        return "worker"
    if thread.startswith("pool-"):
        return "benchmark clients"
    if thread.startswith("grpc-"):
        return "gRPC event loops"
    return "other: " + thread.split("-")[0][:30]


def main():
    events = json.load(sys.stdin)["recording"]["events"]
    by_library = collections.Counter()
    by_part = collections.Counter()
    by_method = collections.Counter()
    for event in events:
        values = event["values"]
        thread = (values.get("sampledThread") or {}).get("javaName") or "?"
        by_part[part_of(thread)] += 1
        frames = (values.get("stackTrace") or {}).get("frames") or []
        label = "JDK and other"
        for frame in frames:
            method = frame["method"]
            name = method["type"]["name"].replace("/", ".")
            for prefix, library in LIBRARIES:
                if name.startswith(prefix):
                    label = library
                    break
            else:
                continue
            break
        by_library[label] += 1
        if frames:
            top = frames[0]["method"]
            by_method[top["type"]["name"] + "." + top["name"]] += 1
    total = sum(by_part.values())
    print(f"{total} CPU samples")
    for title, counter, n in (("by thread", by_part, 12), ("by library (innermost known frame)",
                                                           by_library, 15),
                              ("top methods", by_method, 10)):
        print(f"\n{title}:")
        for key, count in counter.most_common(n):
            print(f"  {100 * count / total:5.1f}%  {count:6d}  {key}")


if __name__ == "__main__":
    main()

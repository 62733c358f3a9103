package io.mpconnect.e2e.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A container image as the build ships it, an OCI image-layout tarball ({@code
 * api/target/jib-image.tar}), unpacked and made runnable without a container engine: its layers
 * extracted in order into a root directory, and its entrypoint started in that root the way a
 * runtime does, as the image's user, in its working directory, with its environment. The image's
 * own files run, down to its dynamic loader and glibc: nothing of this machine's JDK.
 *
 * <p>The start is {@code unshare --mount} (a private mount namespace: the mounts below vanish with
 * the process and are never seen outside it), {@code /proc}, {@code /sys}, {@code /dev} and the
 * host's {@code /etc/hosts} and {@code /etc/resolv.conf} mounted into the root (what an engine
 * provides), then {@code unshare --root=<root> --wd=<WorkingDir> --setuid --setgid} and exec of the
 * entrypoint. Every step execs the next, so the process a test holds is the image's JVM itself:
 * SIGTERM and kill -9 reach it directly. This needs root (chroot and mounts), as CI and this
 * project's machines run.
 */
public final class ContainerImage {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A layer: its digest, its compressed size, and what jib says it holds. */
  public record Layer(String digest, long size, String comment) {}

  private final String name;
  private final String digest;
  private final JsonNode config;
  private final List<Layer> layers;
  private final Path blobs;
  private final Path work;
  private Path root;

  private ContainerImage(String name, String digest, JsonNode config, List<Layer> layers,
      Path blobs, Path work) {
    this.work = work;
    this.name = name;
    this.digest = digest;
    this.config = config;
    this.layers = layers;
    this.blobs = blobs;
  }

  /**
   * Reads an OCI image-layout tarball into {@code work} (which it empties first): the index, the
   * manifest (whose SHA-256 is the image's digest, checked against the index), the config, and
   * the layers' blobs, each checked against its digest.
   */
  public static ContainerImage read(Path tarball, Path work) {
    if (!Files.isRegularFile(tarball)) {
      throw new IllegalStateException(tarball + " is missing: the images are built at package by"
          + " jib (mvn -B -ntp -pl api,worker -am package -DskipTests, or mvn verify at the root)");
    }
    try {
      deleteTree(work);
      Path layout = work.resolve("layout");
      Files.createDirectories(layout);
      run(List.of("tar", "-xf", tarball.toString(), "-C", layout.toString()), Duration.ofMinutes(2));
      JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
      JsonNode entry = index.path("manifests").get(0);
      String digest = entry.path("digest").asText();
      String name = entry.path("annotations").path("org.opencontainers.image.ref.name").asText("");
      Path blobs = layout.resolve("blobs");
      byte[] manifestBytes = Files.readAllBytes(blob(blobs, digest));
      if (!digest.equals("sha256:" + sha256(manifestBytes))) {
        throw new IllegalStateException("the manifest of " + tarball + " is not " + digest);
      }
      JsonNode manifest = JSON.readTree(manifestBytes);
      JsonNode config = JSON.readTree(blob(blobs, manifest.path("config").path("digest").asText()).toFile());
      List<String> comments = new ArrayList<>();
      config.path("history").forEach(h -> {
        if (!h.path("empty_layer").asBoolean(false)) {
          comments.add(h.path("comment").asText(h.path("created_by").asText("")));
        }
      });
      List<Layer> layers = new ArrayList<>();
      int i = 0;
      for (JsonNode layer : manifest.path("layers")) {
        String layerDigest = layer.path("digest").asText();
        try (InputStream in = Files.newInputStream(blob(blobs, layerDigest))) {
          if (!layerDigest.equals("sha256:" + sha256(in))) {
            throw new IllegalStateException("layer " + layerDigest + " of " + tarball + " is corrupt");
          }
        }
        layers.add(new Layer(layerDigest, layer.path("size").asLong(),
            i < comments.size() ? comments.get(i) : ""));
        i++;
      }
      return new ContainerImage(name, digest, config.path("config"), List.copyOf(layers), blobs, work);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Extracts the layers in order into {@code root} (emptied first), as a runtime does. */
  public ContainerImage unpack(Path root) {
    deleteTree(root);
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Layer layer : layers) {
      // As root, tar restores the layer's owners (numeric) and modes.
      run(List.of("tar", "--numeric-owner", "-xzpf", blob(blobs, layer.digest()).toString(),
          "-C", root.toString()), Duration.ofMinutes(2));
      // OCI whiteouts: a ".wh.<name>" deletes <name> of a lower layer (jib writes none).
      try (var files = Files.walk(root)) {
        for (Path whiteout : files.filter(p -> p.getFileName().toString().startsWith(".wh.")).toList()) {
          deleteTree(whiteout.resolveSibling(whiteout.getFileName().toString().substring(4)));
          Files.deleteIfExists(whiteout);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    this.root = root;
    return this;
  }

  public String name() {
    return name;
  }

  /** {@code sha256:<hex>} of the image's manifest: what a registry and {@code docker pull @} name. */
  public String digest() {
    return digest;
  }

  public List<Layer> layers() {
    return layers;
  }

  public long totalSize() {
    return layers.stream().mapToLong(Layer::size).sum();
  }

  public String user() {
    return config.path("User").asText("");
  }

  public String workingDir() {
    String dir = config.path("WorkingDir").asText("");
    return dir.isEmpty() ? "/" : dir;
  }

  /** Entrypoint then Cmd, as a runtime joins them. */
  public List<String> command() {
    List<String> command = new ArrayList<>();
    config.path("Entrypoint").forEach(n -> command.add(n.asText()));
    config.path("Cmd").forEach(n -> command.add(n.asText()));
    return command;
  }

  /** The image's Env, in order. */
  public Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    config.path("Env").forEach(n -> {
      String pair = n.asText();
      int eq = pair.indexOf('=');
      env.put(pair.substring(0, eq), pair.substring(eq + 1));
    });
    return env;
  }

  public List<String> exposedPorts() {
    List<String> ports = new ArrayList<>();
    config.path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
    return ports;
  }

  public Path root() {
    if (root == null) {
      throw new IllegalStateException("unpack the image first");
    }
    return root;
  }

  /**
   * The command line that runs the entrypoint inside the unpacked root, as the image's user and
   * in its working directory (see the class comment). Start it with the image's environment plus
   * the deployment's ({@link #environment()}): its PATH is the one {@code java} is looked up in.
   */
  public List<String> runCommand() {
    return runCommand(command());
  }

  /** {@link #runCommand()} with another command, as {@code docker exec} or a healthcheck runs it. */
  public List<String> runCommand(List<String> inside) {
    Path r = root();
    String[] user = user().isEmpty() ? new String[] {"0", "0"} : user().split(":");
    String uid = user[0];
    String gid = user.length > 1 ? user[1] : user[0];
    if (!uid.matches("\\d+") || !gid.matches("\\d+")) {
      throw new IllegalStateException("the image's user is not numeric: " + user());
    }
    try {
      for (String dir : List.of("proc", "sys", "dev", "etc")) {
        Files.createDirectories(r.resolve(dir));
      }
      for (String file : List.of("etc/hosts", "etc/resolv.conf")) {
        if (!Files.exists(r.resolve(file))) {
          Files.createFile(r.resolve(file));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String q = "'" + r.toString().replace("'", "'\\''") + "'";
    String mounts = "set -e; mount -t proc proc " + q + "/proc; mount --rbind /sys " + q + "/sys;"
        + " mount --rbind /dev " + q + "/dev; mount --bind /etc/hosts " + q + "/etc/hosts;"
        + " [ -e /etc/resolv.conf ] && mount --bind /etc/resolv.conf " + q + "/etc/resolv.conf;"
        + " exec " + unshare() + " --root=" + q + " --wd='" + workingDir() + "' --setuid " + uid
        + " --setgid " + gid + " -- \"$@\"";
    List<String> command = new ArrayList<>(List.of(unshare(), "--mount", "--propagation", "private",
        "--", "/bin/sh", "-c", mounts, "image-entrypoint"));
    command.addAll(inside);
    return command;
  }

  private static String unshare() {
    for (String candidate : List.of("/usr/bin/unshare", "/bin/unshare")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    throw new IllegalStateException("unshare (util-linux) is missing: it runs the images");
  }

  /**
   * Removes the unpacked root and the layout (never through a mount: those live in the stopped
   * process's namespace).
   */
  public void delete() {
    if (root != null) {
      deleteTree(root);
    }
    deleteTree(work);
  }

  private static Path blob(Path blobs, String digest) {
    String[] parts = digest.split(":", 2);
    return blobs.resolve(parts[0]).resolve(parts[1]);
  }

  private static void run(List<String> command, Duration timeout) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + new String(out));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    // rm -rf --one-file-system: should a mount ever be visible here, it is not descended into.
    run(List.of("rm", "-rf", "--one-file-system", dir.toString()), Duration.ofMinutes(2));
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(InputStream in) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        md.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

package org.robustws.it;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Users of the admin API for the ITs, added to the provisioned server's ApplicationRealm with its
 * own {@code bin/add-user.sh}, each with a fresh random password (none is kept in the repository).
 * Elytron re-reads the properties files when they change, so this works on the running server.
 * Added once per test JVM, shared by every IT class.
 */
final class AdminUsers {
  /** Has the role the API requires. */
  static final String ADMIN = "it-admin";

  /** A valid user without that role. */
  static final String VIEWER = "it-viewer";

  private static final Map<String, String> PASSWORDS = new HashMap<>();
  private static final SecureRandom RANDOM = new SecureRandom();

  private AdminUsers() {}

  /** The {@code Authorization} header for the administrator. */
  static synchronized String admin() throws Exception {
    return basic(ADMIN, "ws-admin");
  }

  /** The {@code Authorization} header for a user with another role. */
  static synchronized String viewer() throws Exception {
    return basic(VIEWER, "ws-viewer");
  }

  private static String basic(String user, String role) throws Exception {
    String password = PASSWORDS.get(user);
    if (password == null) {
      password = add(user, role);
      PASSWORDS.put(user, password);
    }
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static String add(String user, String role) throws Exception {
    byte[] bytes = new byte[18];
    RANDOM.nextBytes(bytes);
    // letters, digits and a symbol: add-user.sh's password rules
    String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + "-7a";
    File home = new File(System.getProperty("jboss.home", "target/server"));
    Process process =
        new ProcessBuilder(
                List.of(
                    new File(home, "bin/add-user.sh").getAbsolutePath(),
                    "-a",
                    "-u",
                    user,
                    "-p",
                    password,
                    "-g",
                    role))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("add-user.sh did not finish within 60 s");
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "add-user.sh failed for " + user + ": " + process.exitValue());
    }
    return password;
  }
}

package org.robustws.it;

import java.io.File;
import java.net.URI;
import java.net.URL;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** Every IT deploys the WAR the build made, unchanged, and talks to it from outside. */
final class Deployments {
  private Deployments() {}

  static WebArchive builtWar() {
    File war = new File("target/robust-websocket.war");
    if (!war.isFile()) {
      throw new IllegalStateException("run 'mvn verify': " + war + " is missing");
    }
    return ShrinkWrap.create(ZipImporter.class, "robust-websocket.war")
        .importFrom(war)
        .as(WebArchive.class);
  }

  /** {@code ws://host:port/path} for the deployment at {@code base}. */
  static URI ws(URL base, String path) {
    return URI.create("ws://" + base.getHost() + ":" + base.getPort() + path);
  }
}

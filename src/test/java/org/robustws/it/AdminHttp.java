package org.robustws.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Calls to the admin API at {@code /api}, with or without an {@code Authorization} header. */
final class AdminHttp {
  private final HttpClient http = HttpClient.newHttpClient();
  private final URL base;
  private final String origin;

  AdminHttp(URL base) {
    this(base, null);
  }

  private AdminHttp(URL base, String origin) {
    this.base = base;
    this.origin = origin;
  }

  /**
   * The same calls, sent with {@code Origin}, as a browser sends them from a page of that origin.
   */
  AdminHttp from(String origin) {
    return new AdminHttp(base, origin);
  }

  /** This server's own origin, {@code http://host:port}. */
  String ownOrigin() {
    return "http://" + base.getHost() + ":" + base.getPort();
  }

  HttpResponse<String> get(String path, String authorization) throws Exception {
    return send(request(path, authorization).GET());
  }

  HttpResponse<String> delete(String path, String authorization) throws Exception {
    return send(request(path, authorization).DELETE());
  }

  HttpResponse<String> post(String path, String json, String authorization) throws Exception {
    return send(
        request(path, authorization)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  private HttpRequest.Builder request(String path, String authorization) {
    URI uri = URI.create(ownOrigin() + "/api" + path);
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
    if (authorization != null) {
      builder.header("Authorization", authorization);
    }
    if (origin != null) {
      builder.header("Origin", origin);
    }
    return builder;
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** {@code http://127.0.0.1:9990/health/ready}. */
  HttpResponse<String> readiness() throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:9990/health/ready"))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonObject json(HttpResponse<String> response) {
    return Json.createReader(new StringReader(response.body())).readObject();
  }
}

package org.robustws.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of WildFly's Prometheus endpoint, with lookups by name and labels. */
record Scrape(String text) {
  private static final URI PROMETHEUS = URI.create("http://127.0.0.1:9990/prometheus");

  static Scrape fetch() throws Exception {
    return fetch(PROMETHEUS);
  }

  /** A scrape of another server's endpoint. */
  static Scrape fetch(URI prometheus) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(prometheus).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    return new Scrape(response.body());
  }

  /**
   * The value of series {@code name} that has all of {@code labels} (comma-separated {@code
   * key="value"}; the server may add others, like the deployment), if it exists.
   */
  OptionalDouble find(String name, String labels) {
    Pattern series = Pattern.compile("^" + Pattern.quote(name) + "(\\{(.*)\\})? ([0-9.eE+-]+)$");
    List<String> wanted = labels.isEmpty() ? List.of() : List.of(labels.split(","));
    return text.lines()
        .map(series::matcher)
        .filter(Matcher::matches)
        .filter(
            m -> wanted.stream().allMatch(l -> ("," + m.group(2) + ",").contains("," + l + ",")))
        .mapToDouble(m -> Double.parseDouble(m.group(3)))
        .findFirst();
  }

  /** Like {@link #find}, with 0 for a series that does not exist yet (a counter never used). */
  double value(String name, String labels) {
    return find(name, labels).orElse(0);
  }
}

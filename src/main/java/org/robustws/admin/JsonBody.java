package org.robustws.admin;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.StringReader;

/** A request body read as one JSON value, or a 400 that says it is not one. */
final class JsonBody {
  private JsonBody() {}

  /**
   * @param body the request's body; none reads as empty
   * @throws jakarta.ws.rs.WebApplicationException 400 if it is not valid JSON
   */
  static JsonValue read(String body) {
    try (JsonReader reader = Json.createReader(new StringReader(body == null ? "" : body))) {
      return reader.readValue();
    } catch (JsonException e) {
      throw ApiError.badRequest("the body is not valid JSON");
    }
  }
}

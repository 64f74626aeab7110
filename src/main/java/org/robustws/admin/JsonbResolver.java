package org.robustws.admin;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.ContextResolver;
import jakarta.ws.rs.ext.Provider;

/**
 * JSON-B for the API's answers: absent values are written as {@code null} rather than left out, so
 * every answer of one kind has the same fields (a legacy connection's {@code sessionId}, an RTT not
 * measured yet).
 */
@Provider
@Produces(MediaType.APPLICATION_JSON)
public class JsonbResolver implements ContextResolver<Jsonb> {
  private static final Jsonb JSONB = JsonbBuilder.create(new JsonbConfig().withNullValues(true));

  @Override
  public Jsonb getContext(Class<?> type) {
    return JSONB;
  }
}

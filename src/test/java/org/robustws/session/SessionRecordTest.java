package org.robustws.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.robustws.stream.StreamPosition;

/** The stored form of a session, as JSON-B writes it into the cache {@code ws/sessions}. */
class SessionRecordTest {
  private final Jsonb jsonb = JsonbBuilder.create();

  @Test
  void aRecordWrittenBeforeSubjectsExistedReadsAsOneOfNoSubject() {
    String before =
        "{\"detachedAt\":5,\"id\":\"s-1\",\"newestOwner\":7,\"positions\":{\"x\":{\"epoch\":\"e\","
            + "\"offset\":3}},\"replayableFrom\":0,\"runs\":[],\"seq\":2,\"tokenHash\":\"h\"}";
    SessionRecord record = jsonb.fromJson(before, SessionRecord.class);
    assertEquals("s-1", record.id());
    assertEquals(3, record.positions().get("x").offset());
    assertNull(record.subject(), "its session resumes for a connection of any identity or none");
  }

  @Test
  void theSubjectRoundTripsAndChannelsCanBeLeftOut() {
    SessionRecord record =
        new SessionRecord(
            "s-1",
            "h",
            null,
            4,
            0,
            Map.of("a", new StreamPosition("e", 2), "b", new StreamPosition("e", 9)),
            List.of(
                new SessionRecord.Run("a", "e", 1, 1, 2), new SessionRecord.Run("b", "e", 3, 8, 2)),
            0,
            7,
            "alice");
    assertEquals(record, jsonb.fromJson(jsonb.toJson(record), SessionRecord.class));
    SessionRecord without = record.without(Set.of("b"));
    assertEquals(Set.of("a"), without.positions().keySet());
    assertEquals(List.of("a"), without.runs().stream().map(SessionRecord.Run::channel).toList());
    assertEquals("alice", without.subject());
  }
}

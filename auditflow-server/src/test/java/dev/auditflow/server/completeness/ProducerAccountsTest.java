package dev.auditflow.server.completeness;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.UuidV7;
import dev.auditflow.api.completeness.Declaration;
import dev.auditflow.server.auth.Role;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.ManualClock;
import dev.auditflow.server.testing.ServerFixture;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Producer epochs' accounts through the HTTP API (docs/COMPLETENESS.md): numbered events stored,
 * declarations counted by reason, gaps named, the epoch closed by its marker, a gap older than the
 * grace period reported as unaccounted — and another principal's events or declarations for an
 * epoch refused. Time is a {@link ManualClock}.
 */
class ProducerAccountsTest {
  private static final ManualClock CLOCK = new ManualClock();
  private static final Duration GRACE = Duration.ofMinutes(5);

  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass(b -> b.completenessGrace(GRACE), CLOCK);

  private static ObjectNode numbered(String producerId, UUID epoch, long seq) {
    ObjectNode event = EventJson.valid("completeness-" + producerId, CLOCK.instant());
    event.put("producer_id", producerId).put("producer_epoch", epoch.toString()).put("producer_seq", seq);
    return event;
  }

  private static ObjectNode json(dev.auditflow.api.AuditEvent event) {
    return (ObjectNode) AuditEventJson.toTree(event);
  }

  private static void send(String token, ObjectNode... events) {
    var answer = sendIssued(token, null, events);
    assertThat(answer.status()).as(answer.body()).isEqualTo(201);
  }

  /** A batch with the producer's issued mark header, {@code issued} verbatim (none when null). */
  private static ServerFixture.Response sendIssued(String token, String issued, ObjectNode... events) {
    ArrayNode batch = EventJson.array(events);
    HttpRequest.Builder request = HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/audit/events/batch"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(batch.toString()));
    if (issued != null) {
      request.header(Declaration.ISSUED_HEADER, issued);
    }
    return fx.send(request, token);
  }

  private static JsonNode epoch(String producerId, UUID epoch) {
    var answer = fx.get("/api/v1/producers/" + producerId + "/epochs/" + epoch);
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    return answer.json();
  }

  @Test
  void storedAndDeclaredNumbersAreAccountedAndTheRestAreNamedGaps() {
    String producer = "billing@host-1";
    UUID epoch = UuidV7.generate();
    String token = fx.token(Role.WRITER);
    send(token, numbered(producer, epoch, 1), numbered(producer, epoch, 2), numbered(producer, epoch, 5));
    send(token, numbered(producer, epoch, 2)); // a retry: stored once, accounted once
    send(token, json(Declaration.declared(producer, epoch, "buffer_full", List.of(new Declaration.SeqRange(3, 3)),
        CLOCK.instant())));

    JsonNode open = epoch(producer, epoch);
    assertThat(open.get("state").asText()).isEqualTo("open");
    assertThat(open.get("stored").asLong()).isEqualTo(3);
    assertThat(open.get("declared").get("buffer_full").asLong()).isEqualTo(1);
    assertThat(open.get("gaps")).hasSize(1);
    assertThat(open.get("gaps").get(0).get("first_seq").asLong()).isEqualTo(4);
    assertThat(open.get("gaps").get(0).get("last_seq").asLong()).isEqualTo(4);
    assertThat(open.get("gaps").get(0).get("unaccounted").asBoolean()).isFalse();
    assertThat(open.get("accounted_for").asBoolean()).isFalse();

    send(token, numbered(producer, epoch, 4), numbered(producer, epoch, 6),
        json(Declaration.closed(producer, epoch, 7, CLOCK.instant())));
    JsonNode closed = epoch(producer, epoch);
    assertThat(closed.get("state").asText()).isEqualTo("closed");
    assertThat(closed.get("last_seq").asLong()).isEqualTo(7);
    assertThat(closed.get("stored").asLong()).isEqualTo(5);
    assertThat(closed.get("gaps")).as("7 was never delivered nor declared").hasSize(1);
    assertThat(closed.get("gaps").get(0).get("first_seq").asLong()).isEqualTo(7);

    send(token, json(Declaration.declared(producer, epoch, "delivery_timeout", List.of(new Declaration.SeqRange(7, 7)),
        CLOCK.instant())));
    JsonNode complete = epoch(producer, epoch);
    assertThat(complete.get("accounted_for").asBoolean()).isTrue();
    assertThat(complete.get("gaps")).isEmpty();
    assertThat(complete.get("declared").get("delivery_timeout").asLong()).isEqualTo(1);

    JsonNode listed = fx.get("/api/v1/producers?producer_id=" + producer + "&state=closed").json();
    assertThat(listed.get("epochs")).extracting(e -> e.get("epoch").asText()).containsExactly(epoch.toString());
  }

  @Test
  void aGapOlderThanTheGracePeriodIsUnaccountedAndASilentEpochAbandoned() {
    String producer = "orders@host-2";
    UUID epoch = UuidV7.generate();
    String token = fx.token(Role.WRITER);
    send(token, numbered(producer, epoch, 1), numbered(producer, epoch, 3));

    CLOCK.advance(GRACE.minusSeconds(1));
    JsonNode young = epoch(producer, epoch);
    assertThat(young.get("state").asText()).isEqualTo("open");
    assertThat(young.get("gaps").get(0).get("unaccounted").asBoolean()).isFalse();

    CLOCK.advance(Duration.ofSeconds(2));
    JsonNode old = epoch(producer, epoch);
    assertThat(old.get("state").asText()).isEqualTo("abandoned");
    assertThat(old.get("gaps").get(0).get("unaccounted").asBoolean()).isTrue();
    assertThat(fx.get("/api/v1/producers?state=with-gaps&producer_id=" + producer).json().get("epochs")).hasSize(1);
  }

  @Test
  void aProducerThatDiesLeavesWhatItHadAcceptedAndNotSentAsANamedGap() {
    String producer = "shipping@host-6";
    UUID epoch = UuidV7.generate();
    String token = fx.token(Role.WRITER);
    // Numbers 1-2 sent while 3..9 waited in the producer's buffer; then it was killed.
    assertThat(sendIssued(token, "9", numbered(producer, epoch, 1), numbered(producer, epoch, 2)).status())
        .isEqualTo(201);

    JsonNode alive = epoch(producer, epoch);
    assertThat(alive.get("state").asText()).isEqualTo("open");
    assertThat(alive.get("issued_seq").asLong()).isEqualTo(9);
    assertThat(alive.get("gaps")).as("3..9 are in flight while the producer may still send them").isEmpty();
    assertThat(alive.get("last_seq").asLong()).isEqualTo(2);

    CLOCK.advance(GRACE.plusSeconds(1));
    JsonNode dead = epoch(producer, epoch);
    assertThat(dead.get("state").asText()).isEqualTo("abandoned");
    assertThat(dead.get("accounted_for").asBoolean()).isFalse();
    assertThat(dead.get("last_seq").asLong()).isEqualTo(9);
    assertThat(dead.get("missing").asLong()).isEqualTo(7);
    assertThat(dead.get("gaps")).singleElement().satisfies(gap -> {
      assertThat(gap.get("first_seq").asLong()).isEqualTo(3);
      assertThat(gap.get("last_seq").asLong()).isEqualTo(9);
      assertThat(gap.get("unaccounted").asBoolean()).isTrue();
    });
  }

  @Test
  void aGapsNeighboursAreReadByNumberAndTheFilterSaysWhatIsWrong() {
    String producer = "neighbours@host-7";
    UUID epoch = UuidV7.generate();
    send(fx.token(Role.WRITER), numbered(producer, epoch, 1), numbered(producer, epoch, 2), numbered(producer, epoch, 6),
        numbered(producer, epoch, 9), numbered("other@host", UuidV7.generate(), 2));
    JsonNode around = fx.get("/api/v1/audit/events?producer_epoch=" + epoch
        + "&producer_seq_from=2&producer_seq_to=8&order=asc").json();
    assertThat(around.get("data")).extracting(e -> e.get("producer_seq").asLong()).containsExactlyInAnyOrder(2L, 6L);
    assertThat(fx.get("/api/v1/audit/events/count?producer_epoch=" + epoch).json().get("count").asLong()).isEqualTo(4);

    for (String bad : List.of("producer_seq_from=2", "producer_epoch=nope", "producer_epoch=" + epoch
        + "&producer_seq_from=5&producer_seq_to=4", "producer_epoch=" + epoch + "&producer_seq_to=0")) {
      var answer = fx.get("/api/v1/audit/events?" + bad);
      assertThat(answer.status()).as(bad).isEqualTo(400);
      assertThat(answer.body()).as(bad).contains("producer_");
    }
  }

  @Test
  void anIssuedMarkMustBeANumberForOneEpoch() {
    String token = fx.token(Role.WRITER);
    UUID epoch = UuidV7.generate();
    for (String bad : List.of("0", "-3", "many", "99999999999999999999")) {
      var answer = sendIssued(token, bad, numbered("p@h", epoch, 1));
      assertThat(answer.status()).as(bad + ": " + answer.body()).isEqualTo(400);
      assertThat(answer.body()).contains(Declaration.ISSUED_HEADER);
    }
    var twoEpochs = sendIssued(token, "5", numbered("p@h", epoch, 1), numbered("p@h", UuidV7.generate(), 1));
    assertThat(twoEpochs.status()).as(twoEpochs.body()).isEqualTo(400);
    assertThat(twoEpochs.body()).contains("exactly one producer epoch; it has 2");
    var none = sendIssued(token, "5", EventJson.valid("unnumbered", CLOCK.instant()));
    assertThat(none.status()).as(none.body()).isEqualTo(400);
    assertThat(fx.get("/api/v1/producers?producer_id=p@h").json().get("epochs")).as("nothing was stored").isEmpty();
  }

  @Test
  void anotherPrincipalCanNeitherFillNorDeclareAnEpochsNumbers() {
    String producer = "payments@host-3";
    UUID epoch = UuidV7.generate();
    send(fx.token(Role.WRITER), numbered(producer, epoch, 1), numbered(producer, epoch, 3));
    String intruder = fx.token(Role.WRITER);

    for (ObjectNode forged : List.of(numbered(producer, epoch, 2), json(Declaration.declared(producer, epoch,
        "buffer_full", List.of(new Declaration.SeqRange(2, 2)), CLOCK.instant())))) {
      var answer = fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/audit/events"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(forged.toString())),
          intruder);
      assertThat(answer.status()).as(answer.body()).isEqualTo(409);
      assertThat(answer.body()).contains("belongs to");
    }
    assertThat(epoch(producer, epoch).get("gaps").get(0).get("first_seq").asLong()).isEqualTo(2);
  }

  @Test
  void aMalformedDeclarationIsRefusedNamingTheField() {
    UUID epoch = UuidV7.generate();
    ObjectNode declaration = json(Declaration.declared("p@h", epoch, "buffer_full",
        List.of(new Declaration.SeqRange(1, 1)), CLOCK.instant()));
    declaration.put("correlation_id", "someone-elses-chain");
    var answer = fx.postJson("/api/v1/audit/events", declaration.toString());
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body()).contains("correlation_id");

    ObjectNode plain = EventJson.valid("producer:p@h:" + epoch, CLOCK.instant());
    assertThat(fx.postJson("/api/v1/audit/events", plain.toString()).status())
        .as("a producer's chain holds its declarations only").isEqualTo(400);
  }

  @Test
  void theProducerFieldsComeTogether() {
    ObjectNode event = EventJson.valid("partial-producer", CLOCK.instant());
    event.put("producer_id", "p@h");
    var answer = fx.postJson("/api/v1/audit/events", event.toString());
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.body()).contains("producer_epoch").contains("producer_seq");
  }

  @Test
  void anExportCarriesItsProducersAccountsSignedAndAnAuditorRecomputesThemOffline() throws Exception {
    String producer = "export@host-5";
    UUID epoch = UuidV7.generate();
    String token = fx.token(Role.WRITER);
    send(token, numbered(producer, epoch, 1), numbered(producer, epoch, 2), numbered(producer, epoch, 4),
        json(Declaration.closed(producer, epoch, 5, CLOCK.instant())));
    java.security.PublicKey key = dev.auditflow.verify.PublicKeys.fromPem(
        fx.get("/api/v1/audit/signing-key?format=pem").body());
    // The last hour: the producer's events and its own chain of declarations, as an auditor would ask.
    String export = fx.get("/api/v1/audit/export?format=ndjson&start_time=1h").body();

    dev.auditflow.verify.ExportVerifier.Result result = new dev.auditflow.verify.ExportVerifier(key, null)
        .verify(new java.io.ByteArrayInputStream(export.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(result.findings()).isEmpty();
    JsonNode account = null;
    for (JsonNode e : result.producers()) {
      if (e.get("producer_id").asText().equals(producer)) {
        account = e;
      }
    }
    assertThat(account).as(result.producers().toString()).isNotNull();
    assertThat(account.get("closed").asBoolean()).isTrue();
    assertThat(account.get("stored").asLong()).isEqualTo(3);
    assertThat(account.get("gaps").toString()).isEqualTo("[[3,3],[5,5]]");

    // A line taken out: the content hash says a line is gone, and the accounts no longer match.
    String[] lines = export.split("\n");
    String withoutOne = java.util.Arrays.stream(lines)
        .filter(l -> !l.contains("\"producer_seq\":2")).collect(java.util.stream.Collectors.joining("\n")) + "\n";
    assertThat(new dev.auditflow.verify.ExportVerifier(key, null).verify(new java.io.ByteArrayInputStream(
        withoutOne.getBytes(java.nio.charset.StandardCharsets.UTF_8))).findings())
        .extracting(dev.auditflow.verify.ExportVerifier.Finding::kind).contains("completeness_mismatch");
  }
}

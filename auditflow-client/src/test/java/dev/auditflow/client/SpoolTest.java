package dev.auditflow.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditflow.api.AuditEvent;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool's file format and recovery (docs/COMPLETENESS.md): what was appended comes back in
 * order; a torn or corrupt record is detected by its length and checksum and its number declared,
 * never skipped silently; numbers are never given twice; one store per spool.
 */
class SpoolTest {
  @TempDir
  Path dir;

  private List<AuditEvent> appendAndLeave(int n) throws IOException {
    List<AuditEvent> appended = new ArrayList<>();
    try (Spool spool = Spool.open(dir, "p@h", FsyncPolicy.always())) {
      for (int i = 0; i < n; i++) {
        Spool.Spooled s = spool.append(Events.event("spool"));
        spool.awaitDurable(s.ticket());
        appended.add(s.event());
      }
    } // closed without finish(): as a crashed process leaves it (its writes reached the file)
    return appended;
  }

  private Path onlySegment() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().startsWith("segment-")).filter(p -> {
        try {
          return Files.size(p) > 0;
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).findFirst().orElseThrow();
    }
  }

  private static Map<String, List<long[]>> declared(Spool spool) {
    return spool.recovery().declarations();
  }

  @Test
  void whatWasAppendedComesBackInOrderAndTheEpochResumesAfterItsReservation() throws IOException {
    List<AuditEvent> appended = appendAndLeave(5);
    try (Spool again = Spool.open(dir, "p@h", FsyncPolicy.always())) {
      assertThat(again.epoch()).isEqualTo(appended.get(0).producerEpoch());
      assertThat(again.recovery().events()).extracting(s -> s.event().eventId())
          .containsExactlyElementsOf(appended.stream().map(AuditEvent::eventId).toList());
      assertThat(declared(again)).containsOnlyKeys("unissued");
      assertThat(declared(again).get("unissued")).singleElement()
          .satisfies(r -> assertThat(r).containsExactly(6, Spool.RESERVATION));
      AuditEvent next = again.append(Events.event("spool")).event();
      assertThat(next.producerSeq()).as("no number is given twice").isEqualTo(Spool.RESERVATION + 1);
    }
  }

  @Test
  void aTornTailIsCutAtEveryPossibleByteAndTheRestRecovered() throws IOException {
    List<AuditEvent> appended = appendAndLeave(3);
    Path segment = onlySegment();
    byte[] whole = Files.readAllBytes(segment);
    int lastRecordStart = lengthOfRecords(whole, 2);
    for (int cut = lastRecordStart; cut < whole.length; cut++) {
      Files.write(segment, java.util.Arrays.copyOf(whole, cut));
      try (Spool again = Spool.open(dir, "p@h", FsyncPolicy.always())) {
        assertThat(again.recovery().events()).as("cut at %d", cut).hasSize(2);
        assertThat(declared(again).get("unissued")).as("cut at %d", cut).singleElement()
            .satisfies(r -> assertThat(r[0]).isEqualTo(3));
        again.finish(); // the next round starts from the same bytes
      }
      restore(appended, whole, segment);
    }
  }

  @Test
  void aCorruptRecordInTheMiddleIsDeclaredNotSkipped() throws IOException {
    appendAndLeave(3);
    Path segment = onlySegment();
    byte[] bytes = Files.readAllBytes(segment);
    int second = lengthOfRecords(bytes, 1);
    bytes[second + 20] ^= 0x5A; // inside the second record's payload
    Files.write(segment, bytes);
    try (Spool again = Spool.open(dir, "p@h", FsyncPolicy.always())) {
      // A bad record ends its segment: 2 and the intact 3 after it cannot be read back. Every
      // number that may have been given out after 1 is declared lost to corruption, not unissued.
      assertThat(again.recovery().events()).hasSize(1);
      assertThat(declared(again)).doesNotContainKey("unissued");
      assertThat(declared(again).get("spool_corrupt")).singleElement()
          .satisfies(r -> assertThat(r).containsExactly(2, Spool.RESERVATION));
    }
  }

  @Test
  void whateverByteIsDamagedEveryAppendedNumberComesBackOrIsDeclared() throws IOException {
    List<AuditEvent> appended = appendAndLeave(4);
    Path segment = onlySegment();
    byte[] whole = Files.readAllBytes(segment);
    for (int i = 0; i < whole.length; i++) {
      int at = i;
      byte[] damaged = whole.clone();
      damaged[at] ^= (byte) (1 + at % 255);
      Files.write(segment, damaged);
      try (Spool again = Spool.open(dir, "p@h", FsyncPolicy.always())) {
        java.util.Set<Long> accounted = new java.util.HashSet<>();
        again.recovery().events().forEach(e -> accounted.add(e.event().producerSeq()));
        again.recovery().declarations().values().forEach(ranges -> ranges.forEach(r -> {
          for (long n = r[0]; n <= Math.min(r[1], 10); n++) {
            accounted.add(n);
          }
        }));
        assertThat(accounted).as("byte %d damaged", at).containsAll(List.of(1L, 2L, 3L, 4L));
        again.recovery().events().forEach(e -> assertThat(appended).as("byte %d damaged", at).contains(e.event()));
        again.finish();
      }
      restore(appended, whole, segment);
    }
  }

  @Test
  void aDroppedNumberIsDeclaredAgainAfterACrash() throws IOException {
    try (Spool spool = Spool.open(dir, "p@h", FsyncPolicy.always())) {
      spool.append(Events.event("a"));
      spool.appendDropped(Events.event("b"));
      spool.append(Events.event("c"));
      spool.forceNow();
    }
    try (Spool again = Spool.open(dir, "p@h", FsyncPolicy.always())) {
      assertThat(again.recovery().events()).extracting(s -> s.event().producerSeq()).containsExactly(1L, 3L);
      assertThat(declared(again).get("buffer_full")).singleElement().satisfies(r -> assertThat(r).containsExactly(2, 2));
      assertThat(declared(again)).doesNotContainKey("spool_corrupt");
    }
  }

  @Test
  void aForceAfterCloseReturnsInsteadOfWaitingForAChannelThatIsGone() throws IOException {
    Spool spool = Spool.open(dir, "p@h", FsyncPolicy.interval(java.time.Duration.ofMillis(200)));
    spool.append(Events.event("late"));
    spool.close(); // as a store's close does, while its group-commit timer may still fire once
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), spool::forceNow);
  }

  @Test
  void oneStorePerSpoolAndOneProducerPerSpool() throws IOException {
    try (Spool first = Spool.open(dir, "p@h", FsyncPolicy.always())) {
      assertThatThrownBy(() -> Spool.open(dir, "p@h", FsyncPolicy.always()))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("in use by another store");
    }
    assertThatThrownBy(() -> Spool.open(dir, "someone-else@h", FsyncPolicy.always()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("belongs to producer p@h");
  }

  @Test
  void settledSegmentsAreDeletedOldestFirstAndACleanFinishStartsANewEpoch() throws IOException {
    Spool spool = Spool.open(dir, "p@h", FsyncPolicy.always());
    Spool.Spooled only = spool.append(Events.event("settle"));
    spool.settled(only.segment());
    spool.finish();
    spool.close();
    try (Spool next = Spool.open(dir, "p@h", FsyncPolicy.always())) {
      assertThat(next.epoch()).isNotEqualTo(only.event().producerEpoch());
      assertThat(next.recovery().events()).isEmpty();
      assertThat(next.recovery().declarations()).isEmpty();
    }
  }

  /** The byte length of the first {@code n} records of a segment. */
  private static int lengthOfRecords(byte[] segment, int n) {
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(segment);
    for (int i = 0; i < n; i++) {
      int length = in.getInt();
      in.position(in.position() + 4 + length);
    }
    return in.position();
  }

  /** Puts the spool back as {@link #appendAndLeave} left it: the same segment and epoch file. */
  private void restore(List<AuditEvent> appended, byte[] segmentBytes, Path segment) throws IOException {
    Files.createDirectories(dir);
    Files.write(segment, segmentBytes);
    String epoch = "{\"producer_id\":\"p@h\",\"epoch\":\"" + appended.get(0).producerEpoch() + "\",\"reserved\":"
        + Spool.RESERVATION + ",\"fsync\":\"ALWAYS\"}";
    try (FileChannel out = FileChannel.open(dir.resolve("epoch.json"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      out.write(java.nio.ByteBuffer.wrap(epoch.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
  }
}

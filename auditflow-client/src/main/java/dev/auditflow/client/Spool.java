package dev.auditflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.UuidV7;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The client's durable spool (docs/COMPLETENESS.md): every accepted event is appended to a file
 * before {@code store()} returns, and its segment file is deleted once every event in it is
 * settled. A store built on a spool that a crashed process left behind resumes that process's
 * epoch and sends again what the spool holds (the server stores each event once).
 *
 * <p>Format: segment files {@code segment-<n>.log}, each a sequence of records {@code [length:
 * u32][crc32c: u32][payload]}; a payload is {@code 'E'} and the event's JSON, or {@code 'D'} and the
 * decimal sequence number of an event dropped when the buffer was full (so that recovery can tell
 * a dropped number from a lost one). Records are appended in sequence order, under one lock that
 * also hands out the numbers. {@code epoch.json} holds the producer, the epoch, how far numbers
 * are reserved (written ahead, a thousand at a time, and forced) and the boot the process ran in.
 *
 * <p>Recovery reads every segment; a record whose length or checksum does not hold ends its
 * segment. Numbers from the lowest spooled one to the highest that are not found intact are
 * declared {@code spool_corrupt} (a number also stored on the server counts as stored, so this
 * over-declares nothing that matters). Numbers above the highest intact one, up to the
 * reservation, were never given to an accepted event when {@code store()} waited for the disk
 * ({@link FsyncPolicy#always()}) or when the machine did not restart (the operating system kept
 * every write of the killed process): they are declared {@code unissued}. After a restart of the
 * machine under {@link FsyncPolicy#interval}, they may hold accepted events that never reached the
 * disk: they are left undeclared, so the server names them as a gap.
 *
 * <p>One process at a time: a second store on the same directory is refused (a file lock).
 */
final class Spool implements AutoCloseable {
  /** A segment rolls over at this size, so that a settled one can be deleted whole. */
  static final long SEGMENT_BYTES = 8L * 1024 * 1024;
  /** Numbers reserved ahead in {@code epoch.json}: one forced write per this many events. */
  static final long RESERVATION = 1_000;
  /** The largest record recovery accepts; an event is at most a few hundred KiB. */
  static final int MAX_RECORD = 16 * 1024 * 1024;
  private static final ObjectMapper JSON = AuditEventJson.mapper();
  private static final byte EVENT = 'E';
  private static final byte DROPPED = 'D';

  /** A segment file and how many of its events are not settled yet. */
  static final class Segment {
    final Path path;
    final long number;
    int unsettled;

    Segment(Path path, long number) {
      this.path = path;
      this.number = number;
    }
  }

  /** An event the spool holds, and the segment that holds it. */
  record Spooled(AuditEvent event, Segment segment, long ticket) {}

  /**
   * What a spool left by an earlier process holds: its events, to send again, and the numbers to
   * declare (by reason).
   */
  record Recovery(List<Spooled> events, Map<String, List<long[]>> declarations) {}

  private final Path dir;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final String producerId;
  private final UUID epoch;
  private final FsyncPolicy policy;
  private final ReentrantLock appendLock = new ReentrantLock();
  private final Object forceLock = new Object();
  private final List<Segment> segments = new ArrayList<>();
  private final Sequencer sequencer;
  private final Recovery recovery;
  private Segment current;
  private FileChannel channel;
  private long written;
  private long reserved;
  /** Records appended so far (a ticket each), and how many of them are known to be on disk. */
  private long appended;
  private volatile long forced;
  /** Set once the spool is closed or finished: nothing is forced after it, and no waiter spins. */
  private volatile boolean closed;

  private Spool(Path dir, FileChannel lockChannel, FileLock lock, String producerId, UUID epoch, FsyncPolicy policy,
      long lastIssued, long reserved, Recovery recovery) throws IOException {
    this.dir = dir;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.producerId = producerId;
    this.epoch = epoch;
    this.policy = policy;
    this.reserved = reserved;
    this.sequencer = new Sequencer(producerId, epoch, lastIssued);
    this.recovery = recovery;
  }

  /**
   * Opens (or creates) the spool in {@code dir} for {@code producerId}: resumes the epoch a crashed
   * store left there, or starts a new one.
   *
   * @throws IllegalStateException when another process holds the spool, or it belongs to another producer
   */
  static Spool open(Path dir, String producerId, FsyncPolicy policy) throws IOException {
    Files.createDirectories(dir);
    FileChannel lockChannel = FileChannel.open(dir.resolve("spool.lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException sameProcess) {
      lock = null; // another store of this process holds it
    }
    if (lock == null) {
      lockChannel.close();
      throw new IllegalStateException("the spool " + dir + " is in use by another store; one store per spool");
    }
    try {
      Path epochFile = dir.resolve("epoch.json");
      String boot = bootId();
      Spool spool;
      if (Files.exists(epochFile)) {
        JsonNode state = JSON.readTree(Files.readAllBytes(epochFile));
        if (!producerId.equals(state.path("producer_id").asText())) {
          throw new IllegalStateException("the spool " + dir + " belongs to producer " + state.path("producer_id").asText()
              + ", not " + producerId);
        }
        UUID epoch = UUID.fromString(state.path("epoch").asText());
        long reservedBefore = state.path("reserved").asLong();
        boolean sameBoot = boot != null && boot.equals(state.path("boot_id").asText(null));
        boolean waitedForDisk = "ALWAYS".equals(state.path("fsync").asText());
        spool = recover(dir, lockChannel, lock, producerId, epoch, policy, reservedBefore, sameBoot || waitedForDisk);
      } else {
        spool = new Spool(dir, lockChannel, lock, producerId, UuidV7.generate(), policy, 0, 0,
            new Recovery(List.of(), Map.of()));
      }
      spool.writeEpoch(Math.max(spool.reserved, spool.sequencer.lastNumber()) + RESERVATION, boot);
      spool.roll();
      return spool;
    } catch (IOException | RuntimeException e) {
      lock.release();
      lockChannel.close();
      throw e;
    }
  }

  private static Spool recover(Path dir, FileChannel lockChannel, FileLock lock, String producerId, UUID epoch,
      FsyncPolicy policy, long reserved, boolean tailUnissued) throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.getFileName().toString().matches("segment-\\d{20}\\.log")).sorted().toList();
    }
    List<Spooled> events = new ArrayList<>();
    List<Segment> kept = new ArrayList<>();
    java.util.TreeSet<Long> intact = new java.util.TreeSet<>();
    List<long[]> dropped = new ArrayList<>();
    boolean tailCorrupt = false;
    for (Path file : files) {
      Segment segment = new Segment(file, Long.parseLong(file.getFileName().toString().substring(8, 28)));
      Records records = readRecords(file);
      if (Files.size(file) > 0) {
        tailCorrupt = records.corrupt(); // what counts is how the newest written segment ends
      }
      for (byte[] payload : records.payloads()) {
        if (payload[0] == DROPPED) {
          long seq = Long.parseLong(new String(payload, 1, payload.length - 1, StandardCharsets.US_ASCII));
          intact.add(seq);
          // Declared again: the declaration may not have reached the server before the crash.
          dropped.add(new long[] {seq, seq});
          continue;
        }
        AuditEvent event = AuditEventJson.read(JSON.readTree(payload, 1, payload.length - 1)).event();
        if (event == null || event.producerSeq() == null || !epoch.equals(event.producerEpoch())) {
          continue;
        }
        intact.add(event.producerSeq());
        segment.unsettled++;
        events.add(new Spooled(event, segment, 0));
      }
      kept.add(segment);
    }
    long highest = intact.isEmpty() ? 0 : intact.last();
    Map<String, List<long[]>> declarations = new TreeMap<>();
    if (!intact.isEmpty()) {
      List<long[]> corrupt = missing(intact, intact.first(), highest);
      if (!corrupt.isEmpty()) {
        declarations.put("spool_corrupt", corrupt);
      }
    }
    if (!dropped.isEmpty()) {
      declarations.put("buffer_full", dropped);
    }
    if (reserved > highest) {
      if (tailCorrupt) {
        // Records after a corrupt one cannot be read, nor counted: every number that may have
        // been given out after the last intact one is declared lost to corruption.
        declarations.merge("spool_corrupt", List.of(new long[] {highest + 1, reserved}), Spool::concat);
      } else if (tailUnissued) {
        declarations.put("unissued", List.of(new long[] {highest + 1, reserved}));
      }
    }
    // Numbering goes on after everything reserved: a number is never given twice.
    Spool spool = new Spool(dir, lockChannel, lock, producerId, epoch, policy, Math.max(highest, reserved), reserved,
        new Recovery(List.copyOf(events), declarations));
    spool.segments.addAll(kept);
    return spool;
  }

  private static List<long[]> concat(List<long[]> a, List<long[]> b) {
    List<long[]> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** The numbers in {@code [from, to]} not in {@code present}, as ranges. */
  private static List<long[]> missing(java.util.NavigableSet<Long> present, long from, long to) {
    List<long[]> ranges = new ArrayList<>();
    long next = from;
    for (long n : present.subSet(from, true, to, true)) {
      if (n > next) {
        ranges.add(new long[] {next, n - 1});
      }
      next = n + 1;
    }
    if (next <= to) {
      ranges.add(new long[] {next, to});
    }
    return ranges;
  }

  /**
   * A segment's intact records, up to the first that is not; {@code corrupt} when that one is
   * whole but wrong (its checksum, its length, its kind) rather than cut short by the end of the
   * file or followed by nothing but zeros, which is what a write interrupted by a crash leaves.
   */
  record Records(List<byte[]> payloads, boolean corrupt) {}

  static Records readRecords(Path file) throws IOException {
    List<byte[]> records = new ArrayList<>();
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    while (in.remaining() >= 8) {
      int start = in.position();
      int length = in.getInt();
      int crc = in.getInt();
      if (length > in.remaining() && length <= MAX_RECORD) {
        return new Records(records, false); // cut short: a torn write
      }
      if (length < 2 || length > MAX_RECORD) {
        return new Records(records, !zerosFrom(bytes, start));
      }
      byte[] payload = new byte[length];
      in.get(payload);
      if (crc32c(payload) != crc || (payload[0] != EVENT && payload[0] != DROPPED)) {
        return new Records(records, !zerosFrom(bytes, start));
      }
      records.add(payload);
    }
    return new Records(records, false);
  }

  private static boolean zerosFrom(byte[] bytes, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static int crc32c(byte[] payload) {
    CRC32C crc = new CRC32C();
    crc.update(payload);
    return (int) crc.getValue();
  }

  Sequencer sequencer() {
    return sequencer;
  }

  UUID epoch() {
    return epoch;
  }

  /** What the spool held when it was opened; empty for a new epoch. */
  Recovery recovery() {
    return recovery;
  }

  /**
   * Numbers {@code event} and appends it, in one step under one lock, so that the spool holds
   * numbers in order.
   */
  Spooled append(AuditEvent event) {
    return appendNumbered(event, EVENT);
  }

  /** Numbers an event the buffer had no room for and records that it was dropped (not the event). */
  AuditEvent appendDropped(AuditEvent event) {
    return appendNumbered(event, DROPPED).event();
  }

  private Spooled appendNumbered(AuditEvent event, byte kind) {
    appendLock.lock();
    try {
      AuditEvent numbered = sequencer.number(event);
      reserveThrough(numbered.producerSeq());
      byte[] body = kind == EVENT ? JSON.writeValueAsBytes(numbered)
          : Long.toString(numbered.producerSeq()).getBytes(StandardCharsets.US_ASCII);
      byte[] payload = new byte[body.length + 1];
      payload[0] = kind;
      System.arraycopy(body, 0, payload, 1, body.length);
      write(payload);
      Segment holder = kind == EVENT ? current : null;
      if (holder != null) {
        holder.unsettled++;
      }
      return new Spooled(numbered, holder, ++appended);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the spool " + dir, e);
    } finally {
      appendLock.unlock();
    }
  }

  private void reserveThrough(long seq) throws IOException {
    if (seq > reserved) {
      writeEpoch(seq + RESERVATION, bootId());
    }
  }

  private void write(byte[] payload) throws IOException {
    if (written > 0 && written + payload.length + 8 > SEGMENT_BYTES) {
      roll();
    }
    ByteBuffer record = ByteBuffer.allocate(payload.length + 8);
    record.putInt(payload.length).putInt(crc32c(payload)).put(payload).flip();
    while (record.hasRemaining()) {
      channel.write(record);
    }
    written += payload.length + 8;
  }

  /** Starts a new segment; the old one is forced first, so what it holds is on disk. */
  private void roll() throws IOException {
    if (channel != null) {
      channel.force(false);
      forced = appended;
      channel.close();
    }
    long number = segments.isEmpty() ? 0 : segments.get(segments.size() - 1).number + 1;
    current = new Segment(dir.resolve(String.format("segment-%020d.log", number)), number);
    segments.add(current);
    channel = FileChannel.open(current.path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    written = 0;
    forceDirectory();
    deleteSettledPrefix();
  }

  /**
   * Returns once the record of {@code ticket} is on disk. Callers that arrive while one forces wait
   * for it and then find their record covered: one {@code fsync} serves them all.
   */
  void awaitDurable(long ticket) {
    while (forced < ticket && !closed) {
      synchronized (forceLock) {
        if (forced >= ticket) {
          return;
        }
        FileChannel toForce;
        long target;
        appendLock.lock();
        try {
          toForce = channel;
          target = appended;
        } finally {
          appendLock.unlock();
        }
        try {
          toForce.force(false);
          forced = Math.max(forced, target);
        } catch (ClosedChannelException rolled) {
          // The segment rolled meanwhile, and rolling forced it: look again.
        } catch (IOException e) {
          throw new UncheckedIOException("cannot force the spool " + dir + " to disk", e);
        }
      }
    }
  }

  /** Forces everything appended so far: the group commit of {@link FsyncPolicy#interval}. */
  void forceNow() {
    long target;
    appendLock.lock();
    try {
      target = appended;
    } finally {
      appendLock.unlock();
    }
    if (target > 0) {
      awaitDurable(target);
    }
  }

  FsyncPolicy policy() {
    return policy;
  }

  /** One of the segment's events is settled (acknowledged, or given up and declared). */
  void settled(Segment segment) {
    appendLock.lock();
    try {
      segment.unsettled--;
      deleteSettledPrefix();
    } finally {
      appendLock.unlock();
    }
  }

  /**
   * Deletes the oldest segments while they are settled, and only those: the segments kept are
   * always a run of the newest, so a number missing among them was lost to corruption, never to
   * a deletion.
   */
  private void deleteSettledPrefix() {
    while (!segments.isEmpty() && segments.get(0) != current && segments.get(0).unsettled == 0) {
      Segment oldest = segments.remove(0);
      try {
        Files.deleteIfExists(oldest.path);
      } catch (IOException e) {
        // Left behind, it is sent again after a restart: duplicates, which the server drops.
      }
    }
  }

  /** Writes {@code epoch.json} whole (a temporary file moved over it) and forces it. */
  private void writeEpoch(long reserveThrough, String boot) throws IOException {
    ObjectNode state = JSON.createObjectNode();
    state.put("producer_id", producerId);
    state.put("epoch", epoch.toString());
    state.put("reserved", reserveThrough);
    state.put("fsync", policy.isAlways() ? "ALWAYS" : "INTERVAL");
    if (boot != null) {
      state.put("boot_id", boot);
    }
    Path temp = dir.resolve("epoch.json.tmp");
    try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      out.write(ByteBuffer.wrap(JSON.writeValueAsBytes(state)));
      out.force(true);
    }
    try {
      Files.move(temp, dir.resolve("epoch.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, dir.resolve("epoch.json"), StandardCopyOption.REPLACE_EXISTING);
    }
    forceDirectory();
    reserved = reserveThrough;
  }

  /** Makes a created or renamed file's name durable (POSIX; a no-op where directories cannot be opened). */
  private void forceDirectory() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Windows cannot open a directory; its file system orders metadata itself.
    }
  }

  /** The running kernel's boot id (Linux), to tell a killed process from a restarted machine; null elsewhere. */
  static String bootId() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * A clean end: the epoch is closed and everything settled, so the spool is emptied and the next
   * store on it starts a new epoch.
   */
  void finish() {
    appendLock.lock();
    try {
      channel.force(false);
      forced = appended;
      closed = true;
      channel.close();
      for (Segment s : List.copyOf(segments)) {
        Files.deleteIfExists(s.path);
      }
      segments.clear();
      Files.deleteIfExists(dir.resolve("epoch.json"));
      forceDirectory();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot empty the spool " + dir, e);
    } finally {
      appendLock.unlock();
    }
  }

  @Override
  public void close() {
    appendLock.lock();
    try {
      if (channel.isOpen()) {
        channel.force(false);
        forced = appended;
        channel.close();
      }
      closed = true;
    } catch (IOException e) {
      // What was written is there for the next process.
    } finally {
      appendLock.unlock();
      try {
        lock.release();
        lockChannel.close();
      } catch (IOException ignored) {
        // The lock goes with the process.
      }
    }
  }
}

package dev.auditflow.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time of this process's threads from {@code /proc/self/task} (Linux) — the JVM's own too:
 * the garbage collector's and the JIT compilers' — grouped by name with the numbers taken out
 * ({@code qtp1234-56} counts as {@code qtpN-N}; the kernel keeps 15 characters of a name): where a
 * process's CPU went between two moments. A thread that ended in between is not counted (the
 * caller compares the sum with the process's CPU time).
 */
final class ThreadCpu {
  private static final double NANOS_PER_TICK = 1e9 / 100; // USER_HZ, the unit of /proc/<pid>/stat's times
  private final Map<String, Long> ticksByTask;
  private final Map<String, String> nameByTask;

  private ThreadCpu(Map<String, Long> ticksByTask, Map<String, String> nameByTask) {
    this.ticksByTask = ticksByTask;
    this.nameByTask = nameByTask;
  }

  static ThreadCpu now() {
    Map<String, Long> ticks = new HashMap<>();
    Map<String, String> names = new HashMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      tasks.forEach(task -> {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          // after "tid (comm) ": utime and stime are fields 14 and 15, at 11 and 12 here
          ticks.put(task.getFileName().toString(), Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
          names.put(task.getFileName().toString(), stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
        } catch (IOException e) {
          // the thread ended between the listing and the read
        }
      });
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc/self/task", e);
    }
    return new ThreadCpu(ticks, names);
  }

  /** CPU nanoseconds spent since {@code earlier}, by thread group. */
  Map<String, Long> since(ThreadCpu earlier) {
    Map<String, Long> byGroup = new TreeMap<>();
    ticksByTask.forEach((task, ticks) -> byGroup.merge(nameByTask.get(task).replaceAll("\\d+", "N"),
        Math.round((ticks - earlier.ticksByTask.getOrDefault(task, 0L)) * NANOS_PER_TICK), Long::sum));
    return byGroup;
  }
}

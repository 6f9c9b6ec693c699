package dev.auditflow.api.log;

/**
 * A C2SP {@code tlog-tiles} tile: the {@code index}-th run of 256 consecutive Merkle tree hashes
 * at tile level {@code level} — hashes of subtrees of {@code 256^level} leaves, which are the log's
 * nodes at tree level {@code 8 × level} — or its first {@code width} hashes when partial.
 */
public record Tile(int level, long index, int width) {
  /** Hashes in a full tile. */
  public static final int WIDTH = 256;
  /** Tree levels one tile level spans. */
  public static final int HEIGHT = 8;

  public Tile {
    if (level < 0 || level > 63) {
      throw new IllegalArgumentException("a tile level is 0 to 63, was " + level);
    }
    if (index < 0) {
      throw new IllegalArgumentException("a tile index is >= 0, was " + index);
    }
    if (width < 1 || width > WIDTH) {
      throw new IllegalArgumentException("a tile is 1 to 256 hashes wide, was " + width);
    }
  }

  /** The tree level of the hashes this tile holds. */
  public int treeLevel() {
    return level * HEIGHT;
  }

  /** The index of its first hash among the nodes of {@link #treeLevel()}. */
  public long firstNode() {
    return Math.multiplyExact(index, WIDTH);
  }

  /** The smallest tree that holds every hash of this tile; Long.MAX_VALUE when no tree this log can hold does. */
  public long minimumTreeSize() {
    if (treeLevel() > 62) {
      return Long.MAX_VALUE;
    }
    try {
      return Math.multiplyExact(Math.addExact(Math.multiplyExact(index, WIDTH), width), 1L << treeLevel());
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** The path below the log's prefix: {@code tile/<L>/<N>[.p/<W>]}, N in 3-digit elements, all but the last x-prefixed. */
  public String path() {
    StringBuilder n = new StringBuilder(String.format("%03d", index % 1000));
    for (long rest = index / 1000; rest > 0; rest /= 1000) {
      n.insert(0, String.format("x%03d/", rest % 1000));
    }
    return "tile/" + level + "/" + n + (width < WIDTH ? ".p/" + width : "");
  }

  /**
   * Reads the part of a tile path after {@code tile/<L>/}: {@code x001/x234/067} or {@code
   * 067.p/112}.
   *
   * @throws IllegalArgumentException when it is not in the canonical form (a tile has one path)
   */
  public static Tile parse(int level, String indexPath) {
    String elements = indexPath;
    int width = WIDTH;
    int partial = indexPath.indexOf(".p/");
    if (partial >= 0) {
      String w = indexPath.substring(partial + 3);
      if (!w.matches("[1-9][0-9]{0,2}")) {
        throw new IllegalArgumentException("a partial tile's width is 1 to 255 without leading zeros: " + w);
      }
      width = Integer.parseInt(w);
      if (width >= WIDTH) {
        throw new IllegalArgumentException("a partial tile is 1 to 255 hashes wide, was " + width);
      }
      elements = indexPath.substring(0, partial);
    }
    String[] parts = elements.split("/", -1);
    long index = 0;
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      boolean last = i == parts.length - 1;
      if (!(last ? part.matches("[0-9]{3}") : part.matches("x[0-9]{3}"))) {
        throw new IllegalArgumentException("a tile index is 3-digit elements, all but the last x-prefixed: "
            + indexPath);
      }
      try {
        index = Math.addExact(Math.multiplyExact(index, 1000), Integer.parseInt(last ? part : part.substring(1)));
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("a tile index beyond 2^63 - 1: " + indexPath);
      }
    }
    Tile tile = new Tile(level, index, width);
    if (!tile.path().equals("tile/" + level + "/" + indexPath)) {
      throw new IllegalArgumentException("not the canonical path of a tile (no leading x000 elements): " + indexPath);
    }
    return tile;
  }
}

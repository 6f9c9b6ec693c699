package dev.auditflow.api.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Tile paths and extents, with the examples of the C2SP tlog-tiles specification. */
class TileTest {
  @Test
  void pathsAreTheSpecificationsExamples() {
    // "index 1234067 will be encoded as x001/x234/067"
    assertThat(new Tile(0, 1_234_067, 256).path()).isEqualTo("tile/0/x001/x234/067");
    assertThat(new Tile(2, 5, 17).path()).isEqualTo("tile/2/005.p/17");
    assertThat(Tile.parse(0, "x001/x234/067")).isEqualTo(new Tile(0, 1_234_067, 256));
    assertThat(Tile.parse(3, "067.p/8")).isEqualTo(new Tile(3, 67, 8));
    assertThat(Tile.parse(0, "x001/000")).isEqualTo(new Tile(0, 1000, 256));
  }

  @Test
  void aTreeOf70000LeavesHasTheSpecificationsTiles() {
    // "273 full level 0 tiles, one partial level 0 tile of width 112, one full level 1 tile,
    //  one partial level 1 tile of width 17, and one partial level 2 tile of width 1"
    long size = 70_000;
    assertThat(new Tile(0, 272, 256).minimumTreeSize()).isLessThanOrEqualTo(size);
    assertThat(new Tile(0, 273, 256).minimumTreeSize()).isGreaterThan(size);
    assertThat(new Tile(0, 273, 112).minimumTreeSize()).isEqualTo(size);
    assertThat(new Tile(1, 0, 256).minimumTreeSize()).isLessThanOrEqualTo(size);
    assertThat(new Tile(1, 1, 17).minimumTreeSize()).isLessThanOrEqualTo(size);
    assertThat(new Tile(1, 1, 18).minimumTreeSize()).isGreaterThan(size);
    assertThat(new Tile(2, 0, 1).minimumTreeSize()).isLessThanOrEqualTo(size);
    assertThat(new Tile(2, 0, 2).minimumTreeSize()).isGreaterThan(size);
    assertThat(new Tile(8, 0, 1).minimumTreeSize()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void onlyTheCanonicalPathOfATileIsAccepted() {
    for (String bad : new String[] {"x000/067", "67", "0067", "067.p/256", "067.p/0", "067.p/08", "x1/067", "067/",
        "y001/067",
        // Hardening finding 14: an index past 2^63 overflowed into an ArithmeticException (a 500).
        "x001/x001/x001/x001/x001/x001/x001/000", "x999/x999/x999/x999/x999/x999/999"}) {
      assertThatThrownBy(() -> Tile.parse(0, bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }
}

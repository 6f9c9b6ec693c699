package dev.auditflow.server.trail;

/**
 * Which page of a query: how many rows, in which order, and where it starts — after a cursor
 * position (keyset paging, exact under concurrent inserts) or after skipping {@code offset} rows
 * (Kubernaut's paging). At most one of the two is set.
 *
 * @param after the position to continue after, or null
 * @param offset rows to skip, or null
 */
public record Page(int limit, boolean descending, Cursor after, Integer offset) {
  public Page(int limit, boolean descending, Cursor after) {
    this(limit, descending, after, null);
  }
}

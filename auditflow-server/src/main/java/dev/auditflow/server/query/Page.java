package dev.auditflow.server.query;

/**
 * Which page of a query: how many rows, in which order, after which cursor position.
 *
 * @param after the position to continue after, or null for the first page
 */
public record Page(int limit, boolean descending, Cursor after) {}

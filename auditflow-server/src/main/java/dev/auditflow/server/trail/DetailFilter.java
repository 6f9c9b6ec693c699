package dev.auditflow.server.trail;

/**
 * Exact match on one top-level field of {@code event_data}, compared as text ({@code
 * detail_key}/{@code detail_value}; {@code {"attempt": 3}} matches {@code detail_value=3}).
 *
 * @param key the field name, {@code [a-zA-Z0-9_]+}
 */
public record DetailFilter(String key, String value) {}

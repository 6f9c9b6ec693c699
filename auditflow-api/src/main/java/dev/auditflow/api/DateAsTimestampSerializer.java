package dev.auditflow.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Writes a date as the RFC 3339 date-time of its UTC midnight: {@code parent_event_date} is a
 * date (the parent's partition), and Kubernaut's contract types it as a date-time.
 */
public final class DateAsTimestampSerializer extends StdSerializer<LocalDate> {
  public DateAsTimestampSerializer() {
    super(LocalDate.class);
  }

  @Override
  public void serialize(LocalDate value, JsonGenerator gen, SerializerProvider provider) throws IOException {
    gen.writeString(Timestamps.format(value.atStartOfDay().toInstant(ZoneOffset.UTC)));
  }
}

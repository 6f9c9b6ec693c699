package dev.auditflow.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.time.Instant;

/** Writes instants in auditflow's one timestamp form: see {@link Timestamps#format(Instant)}. */
public final class TimestampSerializer extends StdSerializer<Instant> {
  public TimestampSerializer() {
    super(Instant.class);
  }

  @Override
  public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider)
      throws IOException {
    gen.writeString(Timestamps.format(value));
  }
}

package dev.auditflow.server.http;

import dev.auditflow.api.Violation;
import dev.auditflow.server.failure.RequestRefusedException;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.List;

/**
 * Refuses a NUL character (U+0000) anywhere in the query string, for every route. PostgreSQL
 * cannot hold it in text, so no filter can match it; refusing it here makes it a 400 that names
 * the parameter, as the same character in a body is, instead of a database error.
 */
public final class QueryStringGuard {
  private QueryStringGuard() {}

  public static void install(JavalinConfig config) {
    config.routes.before(QueryStringGuard::check);
  }

  private static void check(Context ctx) {
    for (var param : ctx.queryParamMap().entrySet()) {
      boolean nul = param.getKey().indexOf('\u0000') >= 0
          || param.getValue().stream().anyMatch(v -> v.indexOf('\u0000') >= 0);
      if (nul) {
        String name = param.getKey().replace("\u0000", "\\u0000");
        throw RequestRefusedException.validation("invalid query parameters",
            List.of(new Violation(name, "must not contain the NUL character (U+0000)")));
      }
    }
  }
}

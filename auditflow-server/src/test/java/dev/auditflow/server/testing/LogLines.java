package dev.auditflow.server.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The lines one class logs while open, at INFO and above whatever the logger's configured level. */
public final class LogLines implements AutoCloseable {
  private final Logger logger;
  private final Level previous;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  public LogLines(Class<?> source) {
    this.logger = (Logger) LoggerFactory.getLogger(source);
    this.previous = logger.getLevel();
    logger.setLevel(Level.INFO);
    appender.start();
    logger.addAppender(appender);
  }

  /** The formatted messages logged at {@code level}, in order. */
  public List<String> at(Level level) {
    synchronized (appender.list) {
      return appender.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setLevel(previous);
  }
}

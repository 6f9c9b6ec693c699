package dev.auditflow.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The config file's section that holds a group of {@code serve}'s options ({@code database:
 * pool-size: 20}); the same group is one section of {@code serve --help}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@interface Section {
  String value();
}

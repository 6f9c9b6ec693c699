package dev.auditflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.auditflow.server.failure.ConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where {@code serve}'s settings come from besides its command line, which beats them all: first
 * an environment variable per option ({@code AUDITFLOW_} and the option's name, {@code
 * --pool-size} → {@code AUDITFLOW_POOL_SIZE}), then the config file ({@code --config FILE} or
 * {@code AUDITFLOW_CONFIG}: YAML, one section per group of {@code serve --help} holding options
 * by name, {@code database: {pool-size: 20}}), then the option's own default.
 *
 * <p>The file is checked whole before anything starts: a section or a setting that does not
 * exist, or a value that is not a scalar (or, for a repeatable option, a list of scalars), is
 * refused with its key named. A value that does not convert is refused by picocli with the
 * option named, and {@link #origin} says where that value came from.
 */
final class SettingsSources implements CommandLine.IDefaultValueProvider {
  static final String CONFIG_OPTION = "--config";
  static final String CONFIG_VARIABLE = "AUDITFLOW_CONFIG";
  private static final String PREFIX = "AUDITFLOW_";

  private final Map<String, String> environment;
  private final Path file;
  /** The file's settings, as {@code section.option} → value. */
  private final Map<String, String> fileSettings;
  private final Map<ArgSpec, Origin> origins = new HashMap<>();

  /** Where a value came from, and the value as written there. */
  record Origin(String source, String value) {}

  private SettingsSources(Map<String, String> environment, Path file, Map<String, String> fileSettings) {
    this.environment = environment;
    this.file = file;
    this.fileSettings = fileSettings;
  }

  /**
   * The sources for this run: the environment, and the config file named by {@code --config} in
   * {@code args} (the command line is read before picocli parses it, because defaults are settled
   * first) or else by {@code AUDITFLOW_CONFIG}.
   *
   * @throws ConfigurationException when the named file cannot be read or is not YAML of sections
   */
  static SettingsSources read(List<String> args, Map<String, String> environment) {
    String named = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals(CONFIG_OPTION) && i + 1 < args.size()) {
        named = args.get(i + 1);
      } else if (arg.startsWith(CONFIG_OPTION + "=")) {
        named = arg.substring(CONFIG_OPTION.length() + 1);
      }
    }
    if (named == null) {
      named = environment.get(CONFIG_VARIABLE);
    }
    if (named == null || named.isBlank()) {
      return new SettingsSources(environment, null, Map.of());
    }
    Path file = Path.of(named);
    return new SettingsSources(environment, file, load(file));
  }

  private static Map<String, String> load(Path file) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigurationException("cannot read the config file " + file + ": " + firstLine(e.getMessage()));
    }
    Map<String, String> settings = new LinkedHashMap<>();
    if (root == null || root.isMissingNode() || root.isNull()) {
      return settings;
    }
    if (!root.isObject()) {
      throw new ConfigurationException(file + ": the config file must be sections of settings, such as"
          + " \"database:\" holding \"pool-size: 20\"");
    }
    for (var section : root.properties()) {
      if (!section.getValue().isObject()) {
        throw new ConfigurationException(file + ": " + section.getKey() + " must be a section of settings"
            + " (see serve --help for the sections)");
      }
      for (var setting : section.getValue().properties()) {
        String key = section.getKey() + "." + setting.getKey();
        settings.put(key, scalarOrList(file, key, setting.getValue()));
      }
    }
    return settings;
  }

  private static String scalarOrList(Path file, String key, JsonNode value) {
    if (value.isValueNode() && !value.isNull()) {
      return value.asText();
    }
    if (value.isArray()) {
      List<String> items = new ArrayList<>();
      for (JsonNode item : value) {
        if (!item.isValueNode() || item.isNull()) {
          throw new ConfigurationException(file + ": " + key + " must be a list of plain values");
        }
        items.add(item.asText());
      }
      return String.join(",", items);
    }
    throw new ConfigurationException(file + ": " + key + " must be a plain value or a list of plain values");
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }

  /** The environment variable that sets {@code option}: {@code --pool-size} → {@code AUDITFLOW_POOL_SIZE}. */
  static String variable(OptionSpec option) {
    return PREFIX + option.longestName().substring(2).replace('-', '_').toUpperCase(Locale.ROOT);
  }

  /** The config file's key of {@code option}, {@code database.pool-size}; empty for options in no section. */
  static Optional<String> fileKey(OptionSpec option) {
    return section(option.group()).map(section -> section + "." + option.longestName().substring(2));
  }

  private static Optional<String> section(ArgGroupSpec group) {
    if (group == null || group.typeInfo() == null) {
      return Optional.empty();
    }
    Section section = group.typeInfo().getType().getAnnotation(Section.class);
    return Optional.ofNullable(section).map(Section::value);
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option) || option.usageHelp() || option.versionHelp()
        || option.longestName().equals(CONFIG_OPTION)) {
      return null;
    }
    String variable = variable(option);
    String value = environment.get(variable);
    if (value != null) {
      origins.put(arg, new Origin("the environment variable " + variable, value));
      return value;
    }
    Optional<String> key = fileKey(option);
    if (key.isPresent() && fileSettings.containsKey(key.get())) {
      String fromFile = fileSettings.get(key.get());
      origins.put(arg, new Origin(file + " (" + key.get() + ")", fromFile));
      return fromFile;
    }
    return null;
  }

  /** Where {@code arg}'s value came from, when not from the command line nor its own default. */
  Optional<Origin> origin(ArgSpec arg) {
    return Optional.ofNullable(origins.get(arg));
  }

  /**
   * Refuses a config file that names a setting {@code serve} does not have, naming every such key
   * and the section's settings.
   */
  void check(CommandSpec serve) {
    Map<String, TreeSet<String>> known = new LinkedHashMap<>();
    for (OptionSpec option : serve.options()) {
      fileKey(option).ifPresent(key -> known.computeIfAbsent(key.substring(0, key.indexOf('.')), s -> new TreeSet<>())
          .add(key.substring(key.indexOf('.') + 1)));
    }
    for (String key : fileSettings.keySet()) {
      String section = key.substring(0, key.indexOf('.'));
      String name = key.substring(key.indexOf('.') + 1);
      if (!known.containsKey(section)) {
        throw new ConfigurationException(file + ": " + section + " is not a section of serve's settings; the"
            + " sections are " + String.join(", ", known.keySet()));
      }
      if (!known.get(section).contains(name)) {
        throw new ConfigurationException(file + ": " + key + " is not a setting; " + section + " holds "
            + String.join(", ", known.get(section)));
      }
    }
  }
}

package org.robustws.testing;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigValue;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * A MicroProfile Config of fixed names and values, as a server's would list them: the names of
 * environment variables appear as they are ({@code WS_NAMESPACE_NEWS_SUBSCRIBE}). Converts to
 * String, Integer, Long, Boolean and Double; lists are comma-separated.
 */
public final class MapConfig implements Config {
  private final Map<String, String> values;

  public MapConfig(Map<String, String> values) {
    this.values = Map.copyOf(values);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> Optional<T> getOptionalValue(String name, Class<T> type) {
    String raw = values.get(name);
    if (raw == null) {
      return Optional.empty();
    }
    Map<Class<?>, Function<String, ?>> converters =
        Map.of(
            String.class, s -> s,
            Integer.class, Integer::valueOf,
            Long.class, Long::valueOf,
            Boolean.class, Boolean::valueOf,
            Double.class, Double::valueOf);
    return Optional.of((T) converters.get(type).apply(raw.trim()));
  }

  @Override
  public <T> T getValue(String name, Class<T> type) {
    return getOptionalValue(name, type).orElseThrow(() -> new NoSuchElementException(name));
  }

  @Override
  public <T> Optional<List<T>> getOptionalValues(String name, Class<T> type) {
    return getOptionalValue(name, String.class)
        .map(
            raw ->
                List.of(raw.split(",")).stream()
                    .map(part -> new MapConfig(Map.of("v", part)).getValue("v", type))
                    .toList());
  }

  @Override
  public ConfigValue getConfigValue(String name) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Iterable<String> getPropertyNames() {
    return values.keySet();
  }

  @Override
  public Iterable<ConfigSource> getConfigSources() {
    return List.of();
  }

  @Override
  public <T> Optional<Converter<T>> getConverter(Class<T> forType) {
    return Optional.empty();
  }

  @Override
  public <T> T unwrap(Class<T> type) {
    throw new UnsupportedOperationException();
  }
}

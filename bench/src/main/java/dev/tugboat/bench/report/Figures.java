package dev.tugboat.bench.report;

import java.util.LinkedHashMap;
import java.util.Map;

/** The measured figures of one subject, named with their units (p50_ms, writes_per_s, rss_mb), or why it could not run. */
public final class Figures {
  private final Map<String, Number> values = new LinkedHashMap<>();
  private String error;

  public static Figures error(String why) {
    Figures f = new Figures();
    f.error = why;
    return f;
  }

  public Figures put(String name, Number value) {
    values.put(name, value);
    return this;
  }

  public Figures putAll(Figures other) {
    values.putAll(other.values);
    return this;
  }

  public Double get(String name) {
    Number n = values.get(name);
    return n == null ? null : n.doubleValue();
  }

  public String error() {
    return error;
  }

  public Map<String, Number> values() {
    return values;
  }
}
